package dev.dtp.bench.data;

/**
 * The object colours of ShapesVQA: saturated or bright, so they stay apart from each other and from the
 * muted backgrounds. No object is black: black is reserved for rendered text.
 */
public enum ObjectColor {
    RED("red", 0xDC1E1E),
    GREEN("green", 0x1EAA32),
    BLUE("blue", 0x1E46E6),
    YELLOW("yellow", 0xF5E11E),
    PURPLE("purple", 0xA032D2),
    ORANGE("orange", 0xFA8C14),
    WHITE("white", 0xFAFAFA);

    private final String word;
    private final int rgb;

    ObjectColor(String word, int rgb) {
        this.word = word;
        this.rgb = rgb;
    }

    public String word() {
        return word;
    }

    /** 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }

    /** "a" or "an", whichever goes before this colour's name. */
    public String article() {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }
}
