package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * POPE: one JSON-lines file per subset ({@code coco_pope_random.json}, {@code coco_pope_popular.json},
 * {@code coco_pope_adversarial.json}; the files say .json but hold one object per line) with
 * {@code question_id}, {@code image} (a COCO val2014 file name), {@code text} and {@code label}
 * ({@code yes}/{@code no}).
 *
 * <p>Sample: id {@code pope-<subset>-<question_id>} (the ids restart in every file), the text as the
 * question, the label as the one answer, family {@value #FAMILY}, subset from the file name: the part
 * after its last underscore, before the extension ({@code coco_pope_random.json} gives {@code random}).
 */
public final class PopeLoader {
    public static final String FAMILY = "pope";

    private PopeLoader() {
    }

    /** The subset a POPE file holds, from its name: {@code coco_pope_adversarial.json} gives {@code adversarial}. */
    public static String subsetOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return stem.substring(stem.lastIndexOf('_') + 1);
    }

    /** Reads the files in the given order; {@link LoadOptions#limit()} applies to each file. */
    public static LoadResult load(List<Path> files, Path images, LoadOptions options) throws IOException {
        SampleSink sink = new SampleSink(images, options);
        for (Path file : files) {
            String subset = subsetOf(file);
            sink.nextFile();
            SourceJson.lines(file, (line, value) -> {
                Entry at = Entry.line(file, line);
                JsonObject o = at.object(value);
                String id = at.id(o, "question_id");
                at = at.named("question_id " + id);
                String image = at.string(o, "image");
                String text = at.string(o, "text");
                String label = at.yesNo(o, "label");
                Path path = sink.image(at, image);
                if (path != null) {
                    sink.add(at, new EvalSample(FAMILY + "-" + subset + "-" + id, path, text, List.of(label),
                            FAMILY, subset, null));
                }
                return !sink.full();
            });
        }
        return sink.result();
    }
}
