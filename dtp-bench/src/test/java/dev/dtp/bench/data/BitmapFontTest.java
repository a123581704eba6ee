package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class BitmapFontTest {
    private static final String CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    @Test
    void everyLetterAndDigitHasItsOwnGlyph() {
        Set<String> seen = new HashSet<>();
        for (char c : CHARS.toCharArray()) {
            assertTrue(seen.add(Arrays.toString(BitmapFont.glyph(c))), "glyph of " + c + " is not unique");
        }
        assertTrue(BitmapFont.supports('q'));
        assertTrue(!BitmapFont.supports('?'));
    }

    @Test
    void everyWordOfTheDatasetIsDrawable() {
        ShapesVqa.WORDS.forEach(w -> w.chars().forEach(c -> assertTrue(BitmapFont.supports((char) c), w)));
    }

    @Test
    void widthCountsOneBlankColumnBetweenGlyphs() {
        assertEquals(11, BitmapFont.width("cat", 1));
        assertEquals(30, BitmapFont.width("moon", 2));
        assertEquals(10, BitmapFont.height(2));
    }

    @Test
    void glyphIndicesFollowLettersThenDigits() {
        for (int i = 0; i < CHARS.length(); i++) {
            assertEquals(i, BitmapFont.index(CHARS.charAt(i)));
            assertEquals(i, BitmapFont.index(Character.toLowerCase(CHARS.charAt(i))));
        }
        assertEquals(CHARS.length(), BitmapFont.GLYPH_COUNT);
        assertEquals(10 + 2 * 8, BitmapFont.glyphLeft(10, 2, 2));
        Assertions.assertThrows(IllegalArgumentException.class, () -> BitmapFont.index('?'));
    }
}
