package dev.dtp.mamba.scan;

/** The scan recurrence for channels [from, to) in plain Java (the fallback and the tail of a block). */
final class ScalarScanLoop {
    private ScalarScanLoop() {}

    static void run(ScanArrays s, int from, int to) {
        int dInner = s.dInner();
        int stateSize = s.stateSize();
        for (int ch = from; ch < to; ch++) {
            for (int t = 0; t < s.length(); t++) {
                float dt = s.delta().getFloat(4 * (t * dInner + ch));
                float u = s.x().getFloat(4 * (t * dInner + ch));
                float dtu = dt * u;
                float acc = s.d()[ch] * u;
                for (int n = 0; n < stateSize; n++) {
                    int i = n * dInner + ch;
                    // Eq. 2: h = exp(Δ A) h + Δ B x ; y = C·h + D x
                    float aBar = (float) Math.exp(dt * s.aT()[i]);
                    float h = aBar * s.hT()[i] + dtu * s.b()[t * stateSize + n];
                    s.hT()[i] = h;
                    acc += s.c()[t * stateSize + n] * h;
                }
                s.y().putFloat(4 * (t * dInner + ch), acc);
            }
        }
    }
}
