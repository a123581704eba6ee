package dev.dtp.mamba.scan;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The scan recurrence with the Vector API, lanes over channels: for a group of channels, every
 * time step reads Δ_t and x_t contiguously, and the state h (N × lanes) stays in a small scratch
 * array that lives in L1. exp runs as a vector intrinsic.
 */
final class VectorScanLoop {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorScanLoop() {}

    static int lanes() {
        return SPECIES.length();
    }

    /** Runs whole vector groups of [from, to); returns where the scalar tail starts. */
    static int run(ScanArrays s, int from, int to) {
        int lanes = SPECIES.length();
        int dInner = s.dInner();
        int stateSize = s.stateSize();
        float[] delta = s.delta();
        float[] x = s.x();
        float[] b = s.b();
        float[] c = s.c();
        float[] y = s.y();
        float[] h = new float[stateSize * lanes]; // (N, lanes)
        float[] aBlock = new float[stateSize * lanes]; // A for these channels, (N, lanes)
        int ch = from;
        for (; ch + lanes <= to; ch += lanes) {
            for (int n = 0; n < stateSize; n++) {
                System.arraycopy(s.hT(), n * dInner + ch, h, n * lanes, lanes);
                System.arraycopy(s.aT(), n * dInner + ch, aBlock, n * lanes, lanes);
            }
            FloatVector dSkip = FloatVector.fromArray(SPECIES, s.d(), ch);
            for (int t = 0; t < s.length(); t++) {
                int row = t * dInner + ch;
                FloatVector dt = FloatVector.fromArray(SPECIES, delta, row);
                FloatVector u = FloatVector.fromArray(SPECIES, x, row);
                FloatVector dtu = dt.mul(u);
                FloatVector acc = dSkip.mul(u);
                int bc = t * stateSize;
                for (int n = 0; n < stateSize; n++) {
                    // Eq. 2: h = exp(Δ A) h + (Δ x) B ; y = C·h + D x
                    FloatVector aBar = dt.mul(FloatVector.fromArray(SPECIES, aBlock, n * lanes)).lanewise(VectorOperators.EXP);
                    FloatVector hn = aBar.fma(FloatVector.fromArray(SPECIES, h, n * lanes), dtu.mul(b[bc + n]));
                    hn.intoArray(h, n * lanes);
                    acc = hn.fma(FloatVector.broadcast(SPECIES, c[bc + n]), acc);
                }
                acc.intoArray(y, row);
            }
            for (int n = 0; n < stateSize; n++) {
                System.arraycopy(h, n * lanes, s.hT(), n * dInner + ch, lanes);
            }
        }
        return ch;
    }
}
