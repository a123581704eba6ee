package dev.dtp.mamba.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.dtp.mamba.scan.VectorExp;
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

    /**
     * Rows [from, to), all of them at least K−1 (so every tap lies inside the sequence and the
     * tap loop has no branch, which keeps the vectors in registers), for whole vectors of channels;
     * returns the first channel left to the scalar loop.
     */
    static int run(ByteBuffer in, ByteBuffer out, float[] w, float[] b, int dInner, int kernel, int from, int to) {
        int lanes = SPECIES.length();
        int vectorEnd = dInner - dInner % lanes;
        // exp from IEEE arithmetic only, reproducible whether or not the JIT compiled this (VectorExp)
        FloatVector log2e = FloatVector.broadcast(SPECIES, VectorExp.LOG2E);
        FloatVector magic = FloatVector.broadcast(SPECIES, VectorExp.MAGIC);
        FloatVector minusLn2Hi = FloatVector.broadcast(SPECIES, -VectorExp.LN2_HI);
        FloatVector minusLn2Lo = FloatVector.broadcast(SPECIES, -VectorExp.LN2_LO);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector c2 = FloatVector.broadcast(SPECIES, VectorExp.C2);
        FloatVector c3 = FloatVector.broadcast(SPECIES, VectorExp.C3);
        FloatVector c4 = FloatVector.broadcast(SPECIES, VectorExp.C4);
        FloatVector c5 = FloatVector.broadcast(SPECIES, VectorExp.C5);
        FloatVector c6 = FloatVector.broadcast(SPECIES, VectorExp.C6);
        FloatVector low = FloatVector.broadcast(SPECIES, VectorExp.LOW);
        FloatVector high = FloatVector.broadcast(SPECIES, VectorExp.HIGH);
        for (int t = from; t < to; t++) {
            for (int d = 0; d < vectorEnd; d += lanes) {
                FloatVector acc = FloatVector.fromArray(SPECIES, b, d);
                int first = (t - (kernel - 1)) * dInner + d; // tap 0 reads row t − (K−1)
                for (int k = 0; k < kernel; k++) {
                    acc = FloatVector.fromArray(SPECIES, w, k * dInner + d)
                            .fma(FloatVector.fromByteBuffer(SPECIES, in, 4 * (first + k * dInner), ORDER), acc);
                }
                // SiLU(a) = a · σ(a) = a / (1 + exp(−a))
                FloatVector v = acc.neg().max(low).min(high);
                FloatVector shifted = v.fma(log2e, magic);
                FloatVector k2 = shifted.sub(magic);
                FloatVector r = k2.fma(minusLn2Lo, k2.fma(minusLn2Hi, v));
                FloatVector p = r.fma(c6, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
                FloatVector expNeg = p.mul(shifted.reinterpretAsInts().sub(VectorExp.MAGIC_BITS - 127)
                        .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                FloatVector silu = acc.div(expNeg.add(one));
                silu.intoByteBuffer(out, 4 * (t * dInner + d), ORDER);
            }
        }
        return vectorEnd;
    }
}
