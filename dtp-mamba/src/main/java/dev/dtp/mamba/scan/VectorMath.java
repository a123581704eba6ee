package dev.dtp.mamba.scan;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp on float vectors from IEEE add, mul and fma only (constants and error bound in
 * {@link VectorExp}), so that a result never depends on whether the JIT has compiled the caller:
 * the Vector API's EXP intrinsic and its interpreted fallback round differently. Small enough to
 * be inlined into the kernels' hot loops. Only loaded when the Vector API module is present.
 */
public final class VectorMath {
    private VectorMath() {}

    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** e^v, lane-wise, with v clamped to [LOW, HIGH]. */
    public static FloatVector exp(FloatVector v) {
        FloatVector x = v.max(VectorExp.LOW).min(VectorExp.HIGH);
        FloatVector magic = FloatVector.broadcast(SPECIES, VectorExp.MAGIC);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        // v = k·ln2 + r with k = round(v / ln2): adding 1.5·2^23 rounds k into the low mantissa bits
        FloatVector shifted = x.fma(FloatVector.broadcast(SPECIES, VectorExp.LOG2E), magic);
        FloatVector k = shifted.sub(magic);
        FloatVector r = k.fma(FloatVector.broadcast(SPECIES, -VectorExp.LN2_LO),
                k.fma(FloatVector.broadcast(SPECIES, -VectorExp.LN2_HI), x));
        // e^r by its degree-6 Taylor polynomial (Horner), |r| ≤ ln2/2
        FloatVector p = r.fma(FloatVector.broadcast(SPECIES, VectorExp.C6), FloatVector.broadcast(SPECIES, VectorExp.C5))
                .fma(r, FloatVector.broadcast(SPECIES, VectorExp.C4))
                .fma(r, FloatVector.broadcast(SPECIES, VectorExp.C3))
                .fma(r, FloatVector.broadcast(SPECIES, VectorExp.C2))
                .fma(r, one)
                .fma(r, one);
        // 2^k: k + 127 in the exponent bits
        FloatVector twoToK = shifted.reinterpretAsInts().sub(VectorExp.MAGIC_BITS - 127)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(twoToK);
    }
}
