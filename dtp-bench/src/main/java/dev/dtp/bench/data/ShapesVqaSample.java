package dev.dtp.bench.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One generated question about one scene.
 *
 * @param subset finer group inside the family (see docs/DATA.md), or null for {@code count}
 * @param answer the single lower-case answer word
 */
public record ShapesVqaSample(
        String id, Split split, int index, Family family, String subset, String question, String answer, Scene scene) {

    /** File name of the image under the output's {@code images/} directory. */
    public String imageName() {
        return String.format(Locale.ROOT, "%s-%06d.png", split.id(), index);
    }

    public EvalSample toEvalSample(Path image) {
        return new EvalSample(id, image, question, List.of(answer), family.id(), subset, null);
    }
}
