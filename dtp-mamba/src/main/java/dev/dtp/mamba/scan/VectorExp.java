package dev.dtp.mamba.scan;

/**
 * Constants of the vectorised exp used by the CPU kernels: exp(v) = 2^k · p(r) with k = round(v /
 * ln2), r = v − k·ln2 (ln2 split in a high and a low part), p the degree-6 Taylor polynomial of
 * e^r on |r| ≤ ln2/2, and 2^k built in the exponent bits. Rounding k uses the 1.5·2^23 trick: after
 * adding MAGIC the integer k sits in the low mantissa bits. Maximum relative error 2e-7 (about
 * 1.5 ulp) for v in [LOW, 88]; exactly reproducible because it uses only IEEE add, mul and fma.
 */
public final class VectorExp {
    private VectorExp() {}

    public static final float LOG2E = 1.4426950408889634f;
    public static final float MAGIC = 12582912f; // 1.5 × 2^23
    public static final int MAGIC_BITS = 0x4B400000; // Float.floatToIntBits(MAGIC)
    public static final float LN2_HI = 0.693145751953125f;
    public static final float LN2_LO = 1.428606765330187e-06f;
    public static final float C2 = 1f / 2;
    public static final float C3 = 1f / 6;
    public static final float C4 = 1f / 24;
    public static final float C5 = 1f / 120;
    public static final float C6 = 1f / 720;
    /** Inputs below this are clamped (exp(−87) ≈ 1.6e-38, the smallest normal float range). */
    public static final float LOW = -87f;
    public static final float HIGH = 88f;
}
