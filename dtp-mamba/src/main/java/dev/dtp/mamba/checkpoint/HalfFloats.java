package dev.dtp.mamba.checkpoint;

/**
 * Conversions between float32 and the two 16-bit storage formats, done in Java because a
 * BFLOAT16 NDArray aborts the JVM inside DJL's native code.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** bfloat16 is the upper half of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest even; NaN stays NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** IEEE 754 binary16 to float32, including subnormals, infinities and NaN. */
    public static float f16ToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mantissa * 0x1p-24f; // subnormal: mantissa × 2^−24
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** float32 to IEEE 754 binary16 with round to nearest even; overflow gives ±infinity. */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7e00);
        }
        float abs = Math.abs(f);
        if (abs >= 65520f) { // rounds to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x1p-14f) { // subnormal or zero in half precision: multiple of 2^−24
            int m = Math.round(abs * 0x1p24f); // Math.round is half-up; fix ties to even below
            float exact = abs * 0x1p24f;
            if (exact - Math.floor(exact) == 0.5 && (m & 1) == 1) {
                m--;
            }
            return (short) (sign | m);
        }
        int absBits = Float.floatToRawIntBits(abs);
        int exponent = ((absBits >>> 23) & 0xff) - 112;
        int mantissa = absBits & 0x7fffff;
        int half = (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
