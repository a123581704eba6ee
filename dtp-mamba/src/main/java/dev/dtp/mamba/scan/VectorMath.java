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

    /**
     * softplus(v) = log(1 + e^v), lane-wise, as max(v, 0) + log1p(e^−|v|) and v itself above 20
     * (libtorch's threshold). With t = e^−|v| in (0, 1] and s = t / (2 + t) in (0, 1/3],
     * log1p(t) = 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + … + s¹⁴/15): the next term is below 2⁻²⁷ of the
     * sum. Relative error a few ulp against the double-precision value (VectorMathTest); for
     * v below −87 the result is e^−87, where the true value is smaller still (Δ is then 0 to float
     * precision either way).
     */
    public static FloatVector softplus(FloatVector v) {
        FloatVector t = exp(v.abs().neg());
        FloatVector s = t.div(t.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = s2.fma(FloatVector.broadcast(SPECIES, 1f / 15), FloatVector.broadcast(SPECIES, 1f / 13))
                .fma(s2, FloatVector.broadcast(SPECIES, 1f / 11))
                .fma(s2, FloatVector.broadcast(SPECIES, 1f / 9))
                .fma(s2, FloatVector.broadcast(SPECIES, 1f / 7))
                .fma(s2, FloatVector.broadcast(SPECIES, 1f / 5))
                .fma(s2, FloatVector.broadcast(SPECIES, 1f / 3))
                .fma(s2, FloatVector.broadcast(SPECIES, 1f));
        FloatVector log1p = s.add(s).mul(p);
        FloatVector sp = v.max(0f).add(log1p);
        return sp.blend(v, v.compare(VectorOperators.GT, 20f));
    }

    /** SiLU(z) = z / (1 + e^−z), lane-wise. */
    public static FloatVector silu(FloatVector z) {
        return z.div(exp(z.neg()).add(1f));
    }
}
