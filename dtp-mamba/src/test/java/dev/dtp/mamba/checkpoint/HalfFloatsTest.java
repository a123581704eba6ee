package dev.dtp.mamba.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void knownF16BitPatterns() {
        // IEEE 754 binary16 reference values
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f));
        assertEquals((short) 0xC000, HalfFloats.floatToF16(-2f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f));
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(1e6f));
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f));
        assertEquals((short) 0x0400, HalfFloats.floatToF16(0x1p-14f));
        assertEquals((short) 0x3555, HalfFloats.floatToF16(1f / 3));
        assertEquals(1f, HalfFloats.f16ToFloat((short) 0x3C00));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7BFF));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7E00)));
    }

    @Test
    void f16TiesRoundToEven() {
        // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: rounds to the even mantissa (1)
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f + 0x1p-11f));
        // 1 + 3·2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even): rounds up
        assertEquals((short) 0x3C02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f));
    }

    @Test
    void f16RoundTripsEveryFiniteHalf() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfFloats.f16ToFloat(h);
            if (!Float.isNaN(f)) {
                assertEquals(h, HalfFloats.floatToF16(f), "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void bf16IsTheUpperHalfRoundedToEven() {
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f));
        assertEquals(1f, HalfFloats.bf16ToFloat((short) 0x3F80));
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even → 1
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f + 0x1p-8f));
        assertEquals((short) 0x3F81, HalfFloats.floatToBf16(1f + 0x1p-8f + 0x1p-20f));
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    }
}
