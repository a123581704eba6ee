package dev.dtp.mamba.model;

import java.util.Locale;

/** How a loaded model holds its large matrices. */
public enum WeightFormat {
    /** float32, as libtorch arrays (the default). */
    F32,
    /**
     * int8 in Q8_0 blocks of 32 with a float32 scale each (about 28% of float32), for in_proj,
     * x_proj, out_proj, the embedding and lm_head; everything else stays float32. Decoding reads the
     * int8 blocks directly; a prefill dequantises one layer at a time into scratch. CPU only. Quantised
     * at load from float weights, or read as they are from a pre-quantised directory ({@code dtp convert
     * --weights int8}, {@code Q8Tensors}), with the same result.
     */
    INT8;

    /** {@code f32}/{@code float32} or {@code int8}/{@code q8_0}, any case. */
    public static WeightFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> F32;
            case "int8", "q8", "q8_0" -> INT8;
            default -> throw new IllegalArgumentException("unknown weight format '" + name + "'; use f32 or int8");
        };
    }
}
