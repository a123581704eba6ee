package dev.dtp.bench.data;

/** ShapesVQA question families, each mirroring one benchmark of the paper; {@link #id()} is the JSONL {@code family}. */
public enum Family {
    /** GQA-like: colour, shape or size of a uniquely described object. */
    ATTRIBUTE("attribute"),
    /** POPE-like yes/no object existence, negatives sampled per subset random/popular/adversarial. */
    EXISTENCE("existence"),
    /** VSR-like yes/no left/right/above/below, asked only for clear cases. */
    SPATIAL("spatial"),
    /** TextVQA-like: the rendered word or number. */
    TEXT("text"),
    /** How many objects of a shape (VQAv2 "number" questions). */
    COUNT("count");

    private final String id;

    Family(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
