package dev.dtp.bench.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One line of an eval JSONL file (format in docs/DATA.md).
 *
 * @param image the image; {@link JsonlDataset#read} resolves it against the JSONL file's directory
 * @param answers one or more reference answers (VQAv2-style datasets list every annotator's answer)
 * @param family the benchmark or question family, e.g. "existence"
 * @param subset a finer group inside the family (POPE's random/popular/adversarial), or null
 * @param features a .safetensors file of precomputed patch features, or null
 * @param scoring how the line asks to be scored, {@code "generate"} or {@code "probability"}, or null
 *     for the benchmark's choice (docs/DATA.md, "Scoring")
 * @param candidates the answers probability scoring chooses among; empty for the benchmark's
 */
public record EvalSample(String id, Path image, String question, List<String> answers, String family, String subset,
        Path features, String scoring, List<String> candidates) {

    /** A sample that leaves scoring to the benchmark. */
    public EvalSample(String id, Path image, String question, List<String> answers, String family, String subset,
            Path features) {
        this(id, image, question, answers, family, subset, features, null, List.of());
    }

    public EvalSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(family, "family");
        answers = List.copyOf(answers);
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("sample " + id + " has no answers");
        }
    }
}
