package dev.dtp.mamba.model;

import dev.dtp.mamba.scan.VectorMath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The fused conv1d + SiLU of {@link CpuConv}, lanes over channels. */
final class VectorConvLoop {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorConvLoop() {}

    static int lanes() {
        return SPECIES.length();
    }

    /**
     * Rows [from, to), all of them at least K−1 (so every tap lies inside the sequence and the
     * tap loop has no branch, which keeps the vectors in registers), for whole vectors of channels;
     * returns the first channel left to the scalar loop.
     */
    static int run(ByteBuffer in, ByteBuffer out, float[] w, float[] b, int dInner, int kernel, int from, int to) {
        int lanes = SPECIES.length();
        int vectorEnd = dInner - dInner % lanes;
        for (int t = from; t < to; t++) {
            for (int d = 0; d < vectorEnd; d += lanes) {
                FloatVector acc = FloatVector.fromArray(SPECIES, b, d);
                int first = (t - (kernel - 1)) * dInner + d; // tap 0 reads row t − (K−1)
                for (int k = 0; k < kernel; k++) {
                    acc = FloatVector.fromArray(SPECIES, w, k * dInner + d)
                            .fma(FloatVector.fromByteBuffer(SPECIES, in, 4 * (first + k * dInner), ORDER), acc);
                }
                // SiLU(a) = a · σ(a) = a / (1 + exp(−a))
                FloatVector silu = acc.div(VectorMath.exp(acc.neg()).add(1f));
                silu.intoByteBuffer(out, 4 * (t * dInner + d), ORDER);
            }
        }
        return vectorEnd;
    }
}
