package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * VSR (Visual Spatial Reasoning): a JSON-lines split ({@code splits/random/test.jsonl}, …) whose lines hold
 * {@code image} (a COCO 2017 file name), {@code caption}, {@code label} (1 true, 0 false) and
 * {@code relation}.
 *
 * <p>Sample: id {@code vsr-<file name without extension>-<line>}, the question
 * {@link #question(String) built from the caption}, answer {@code yes} for label 1 and {@code no} for 0,
 * family {@value #FAMILY}, subset the relation ({@code left of}, {@code on top of}, …).
 */
public final class VsrLoader {
    public static final String FAMILY = "vsr";

    private VsrLoader() {
    }

    /**
     * The caption as a yes/no question: {@code Is it true that <caption>? Answer yes or no.} The caption's
     * trailing full stop goes, and its first letter is lower-cased when the first word is a capitalised
     * ordinary word ("The cat is on the bed." gives "Is it true that the cat is on the bed? Answer yes or
     * no."; an all-capital first word such as "TV" is kept).
     */
    public static String question(String caption) {
        String c = caption.strip();
        while (c.endsWith(".")) {
            c = c.substring(0, c.length() - 1).stripTrailing();
        }
        int wordEnd = 0;
        while (wordEnd < c.length() && Character.isLetter(c.charAt(wordEnd))) {
            wordEnd++;
        }
        if (wordEnd >= 1 && Character.isUpperCase(c.charAt(0))
                && c.substring(1, wordEnd).chars().allMatch(Character::isLowerCase)) {
            c = Character.toLowerCase(c.charAt(0)) + c.substring(1);
        }
        return "Is it true that " + c + "? Answer yes or no.";
    }

    public static LoadResult load(Path file, Path images, LoadOptions options) throws IOException {
        SampleSink sink = new SampleSink(images, options);
        String name = file.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        SourceJson.lines(file, (line, value) -> {
            Entry at = Entry.line(file, line);
            JsonObject o = at.object(value);
            String image = at.string(o, "image");
            String caption = at.string(o, "caption");
            String label = at.yesNo(o, "label");
            String relation = at.optionalString(o, "relation");
            Path path = sink.image(at, image);
            if (path != null) {
                sink.add(at, new EvalSample(FAMILY + "-" + stem + "-" + line, path, question(caption), List.of(label),
                        FAMILY, relation, null));
            }
            return !sink.full();
        });
        return sink.result();
    }
}
