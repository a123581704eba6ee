package dev.dtp.mamba.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The fused conv1d + SiLU of {@link CpuConv}, lanes over channels. */
final class VectorConvLoop {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorConvLoop() {}

    static int lanes() {
        return SPECIES.length();
    }

    /** Rows [from, to) for whole vectors of channels; returns the first channel left to the scalar loop. */
    static int run(ByteBuffer in, ByteBuffer out, float[] w, float[] b, int dInner, int kernel, int from, int to) {
        int lanes = SPECIES.length();
        int vectorEnd = dInner - dInner % lanes;
        for (int t = from; t < to; t++) {
            for (int d = 0; d < vectorEnd; d += lanes) {
                FloatVector acc = FloatVector.fromArray(SPECIES, b, d);
                for (int k = 0; k < kernel; k++) {
                    int src = t - (kernel - 1) + k;
                    if (src >= 0) {
                        acc = FloatVector.fromArray(SPECIES, w, k * dInner + d)
                                .fma(FloatVector.fromByteBuffer(SPECIES, in, 4 * (src * dInner + d), ORDER), acc);
                    }
                }
                // SiLU(a) = a · σ(a) = a / (1 + exp(−a))
                FloatVector silu = acc.div(acc.neg().lanewise(VectorOperators.EXP).add(1f));
                silu.intoByteBuffer(out, 4 * (t * dInner + d), ORDER);
            }
        }
        return vectorEnd;
    }
}
