package dev.dtp.bench.data;

/** The object shapes of ShapesVQA; {@link #word()} and {@link #plural()} are the question vocabulary. */
public enum Shape {
    CIRCLE("circle", "circles"),
    SQUARE("square", "squares"),
    TRIANGLE("triangle", "triangles"),
    DIAMOND("diamond", "diamonds"),
    CROSS("cross", "crosses");

    private final String word;
    private final String plural;

    Shape(String word, String plural) {
        this.word = word;
        this.plural = plural;
    }

    public String word() {
        return word;
    }

    public String plural() {
        return plural;
    }
}
