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
 */
public record EvalSample(
        String id, Path image, String question, List<String> answers, String family, String subset, Path features) {

    public EvalSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(family, "family");
        answers = List.copyOf(answers);
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("sample " + id + " has no answers");
        }
    }
}
