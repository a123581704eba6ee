package dev.dtp.bench.data;

import java.awt.Graphics2D;
import java.util.HashMap;
import java.util.Map;

/**
 * A 3×5 pixel font for A–Z and 0–9, drawn with {@code fillRect}. System fonts differ between machines;
 * these glyphs do not, which keeps rendered text byte-identical everywhere.
 */
public final class BitmapFont {
    public static final int GLYPH_WIDTH = 3;
    public static final int GLYPH_HEIGHT = 5;

    /** Rows top to bottom, '1' = ink. */
    private static final String[] ROWS = {
        "A010101111101101", "B110101110101110", "C011100100100011", "D110101101101110",
        "E111100110100111", "F111100110100100", "G011100101101011", "H101101111101101",
        "I111010010010111", "J001001001101010", "K101101110101101", "L100100100100111",
        "M101111111101101", "N110101101101101", "O010101101101010", "P110101110100100",
        "Q010101101110011", "R110101110101101", "S011100010001110", "T111010010010010",
        "U101101101101111", "V101101101101010", "W101101111111101", "X101101010101101",
        "Y101101010010010", "Z111001010100111",
        "0111101101101111", "1010110010010111", "2110001010100111", "3110001010001110",
        "4101101111001001", "5111100110001110", "6011100111101111", "7111001010010010",
        "8111101111101111", "9111101111001110",
    };

    private static final Map<Character, boolean[]> GLYPHS = new HashMap<>();

    /** Number of glyphs: A–Z, then 0–9. */
    public static final int GLYPH_COUNT = ROWS.length;

    static {
        for (String row : ROWS) {
            boolean[] ink = new boolean[GLYPH_WIDTH * GLYPH_HEIGHT];
            for (int i = 0; i < ink.length; i++) {
                ink[i] = row.charAt(1 + i) == '1';
            }
            GLYPHS.put(row.charAt(0), ink);
        }
    }

    private BitmapFont() {
    }

    public static boolean supports(char c) {
        return GLYPHS.containsKey(Character.toUpperCase(c));
    }

    /** Index of glyph {@code c} (case-insensitive) in A–Z, 0–9 order, 0 ≤ index &lt; {@link #GLYPH_COUNT}. */
    public static int index(char c) {
        char upper = Character.toUpperCase(c);
        for (int i = 0; i < ROWS.length; i++) {
            if (ROWS[i].charAt(0) == upper) {
                return i;
            }
        }
        throw new IllegalArgumentException("no glyph for '" + c + "'");
    }

    /** Left edge in pixels of glyph {@code k} of a text drawn at {@code x}. */
    public static int glyphLeft(int x, int k, int scale) {
        return x + k * (GLYPH_WIDTH + 1) * scale;
    }

    /** Ink of glyph {@code c} (case-insensitive) as GLYPH_HEIGHT rows of GLYPH_WIDTH pixels, row-major. */
    static boolean[] glyph(char c) {
        boolean[] ink = GLYPHS.get(Character.toUpperCase(c));
        if (ink == null) {
            throw new IllegalArgumentException("no glyph for '" + c + "'");
        }
        return ink.clone();
    }

    /** Width in pixels of {@code text}: glyphs separated by one (scaled) column. */
    public static int width(String text, int scale) {
        return (text.length() * (GLYPH_WIDTH + 1) - 1) * scale;
    }

    public static int height(int scale) {
        return GLYPH_HEIGHT * scale;
    }

    /** Draws {@code text} upper-cased with its top-left at (x, y) in the graphics' current colour. */
    public static void draw(Graphics2D g, String text, int x, int y, int scale) {
        for (int k = 0; k < text.length(); k++) {
            boolean[] ink = glyph(text.charAt(k));
            int left = glyphLeft(x, k, scale);
            for (int row = 0; row < GLYPH_HEIGHT; row++) {
                for (int col = 0; col < GLYPH_WIDTH; col++) {
                    if (ink[row * GLYPH_WIDTH + col]) {
                        g.fillRect(left + col * scale, y + row * scale, scale, scale);
                    }
                }
            }
        }
    }
}
