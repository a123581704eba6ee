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
 * <p>Sample, as vlm-evaluation poses VSR: id {@code vsr-<file name without extension>-<line>}, the question
 * the caption itself (the statement, which the model's {@code vsr} prompt template wraps in "Based on the
 * image, is this statement "True" or "False"? …"), answer {@code True} for label 1 and {@code False} for 0,
 * candidates {@code True} and {@code False}, family {@value #FAMILY}, subset the relation ({@code left of},
 * {@code on top of}, …).
 */
public final class VsrLoader {
    public static final String FAMILY = "vsr";
    /** The answers vlm-evaluation scores VSR by: the probabilities of these two at the first answer step. */
    public static final List<String> CANDIDATES = List.of("True", "False");

    private VsrLoader() {
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
                String answer = label.equals("yes") ? CANDIDATES.get(0) : CANDIDATES.get(1);
                sink.add(at, new EvalSample(FAMILY + "-" + stem + "-" + line, path, caption, List.of(answer),
                        FAMILY, relation, null, null, CANDIDATES));
            }
            return !sink.full();
        });
        return sink.result();
    }
}
