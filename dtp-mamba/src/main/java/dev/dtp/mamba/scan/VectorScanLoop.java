package dev.dtp.mamba.scan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The scan recurrence with the Vector API, lanes over channels: for a group of channels, every
 * time step reads Δ_t and x_t contiguously, and the state h (N × lanes) stays in a small scratch
 * array that lives in L1. exp is {@link VectorMath#exp}, reproducible bit for bit.
 */
final class VectorScanLoop {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorScanLoop() {}

    static int lanes() {
        return SPECIES.length();
    }

    /** Time steps whose Ā = exp(Δ A) are computed together before their recurrence. */
    private static final int STEPS = 8;

    /**
     * Runs whole vector groups of [from, to); returns where the scalar tail starts. For each group
     * of channels, Ā for {@link #STEPS} time steps is computed first (a loop of vector exps
     * with little else alive), then the recurrence runs over those steps with the state in a
     * scratch array.
     */
    static int run(ScanArrays s, int from, int to) {
        int lanes = SPECIES.length();
        int dInner = s.dInner();
        int stateSize = s.stateSize();
        int length = s.length();
        ByteBuffer delta = s.delta();
        ByteBuffer x = s.x();
        float[] b = s.b();
        float[] c = s.c();
        ByteBuffer y = s.y();
        float[] h = new float[stateSize * lanes]; // (N, lanes)
        float[] aBlock = new float[stateSize * lanes]; // A for these channels, (N, lanes)
        float[] aBar = new float[STEPS * stateSize * lanes]; // exp(Δ_t A) for a chunk of steps, (STEPS, N, lanes)
        int ch = from;
        for (; ch + lanes <= to; ch += lanes) {
            for (int n = 0; n < stateSize; n++) {
                System.arraycopy(s.hT(), n * dInner + ch, h, n * lanes, lanes);
                System.arraycopy(s.aT(), n * dInner + ch, aBlock, n * lanes, lanes);
            }
            FloatVector dSkip = FloatVector.fromArray(SPECIES, s.d(), ch);
            for (int t0 = 0; t0 < length; t0 += STEPS) {
                int steps = Math.min(STEPS, length - t0);
                // Ā_t = exp(Δ_t A) (zero-order hold), for the whole chunk
                for (int k = 0; k < steps; k++) {
                    FloatVector dt = FloatVector.fromByteBuffer(SPECIES, delta, 4 * ((t0 + k) * dInner + ch), ORDER);
                    int base = k * stateSize * lanes;
                    for (int n = 0; n < stateSize; n++) {
                        // Ā = exp(Δ A), reproducible exp (VectorMath)
                        VectorMath.exp(dt.mul(FloatVector.fromArray(SPECIES, aBlock, n * lanes)))
                                .intoArray(aBar, base + n * lanes);
                    }
                }
                // Eq. 2: h_t = Ā_t h_{t−1} + (Δ_t x_t) B_t ; y_t = C_t·h_t + D x_t
                for (int k = 0; k < steps; k++) {
                    int t = t0 + k;
                    int row = t * dInner + ch;
                    FloatVector u = FloatVector.fromByteBuffer(SPECIES, x, 4 * row, ORDER);
                    FloatVector dtu = FloatVector.fromByteBuffer(SPECIES, delta, 4 * row, ORDER).mul(u);
                    FloatVector acc = dSkip.mul(u);
                    int bc = t * stateSize;
                    int base = k * stateSize * lanes;
                    for (int n = 0; n < stateSize; n++) {
                        FloatVector hn = FloatVector.fromArray(SPECIES, aBar, base + n * lanes)
                                .fma(FloatVector.fromArray(SPECIES, h, n * lanes), dtu.mul(b[bc + n]));
                        hn.intoArray(h, n * lanes);
                        acc = hn.fma(FloatVector.broadcast(SPECIES, c[bc + n]), acc);
                    }
                    acc.intoByteBuffer(y, 4 * row, ORDER);
                }
            }
            for (int n = 0; n < stateSize; n++) {
                System.arraycopy(h, n * lanes, s.hT(), n * dInner + ch, lanes);
            }
        }
        return ch;
    }
}
