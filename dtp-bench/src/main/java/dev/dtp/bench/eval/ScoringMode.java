package dev.dtp.bench.eval;

import java.util.Locale;

/**
 * {@code dtp eval --scoring}: how answers are scored. {@code generate} decodes an answer and
 * compares its text; {@code probability} reads the first answer step's probabilities of the
 * candidate answers and takes the most probable; {@code auto} chooses per question as Cobra's
 * harness (vlm-evaluation) does per benchmark: probability for POPE, VSR, AI2D and TallyQA,
 * generation for the rest, unless the line says otherwise.
 */
public enum ScoringMode {
    AUTO, GENERATE, PROBABILITY;

    /** The mode named {@code auto}, {@code generate} or {@code probability}. */
    public static ScoringMode parse(String name) {
        for (ScoringMode m : values()) {
            if (m.label().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--scoring must be auto, generate or probability, got '" + name + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
