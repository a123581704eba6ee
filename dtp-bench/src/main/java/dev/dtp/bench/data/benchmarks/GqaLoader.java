package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * GQA balanced questions ({@code testdev_balanced_questions.json}): one object keyed by question id, each
 * entry with {@code imageId}, {@code question}, {@code answer} and {@code types.structural}; images are
 * {@code <imageId>.jpg}.
 *
 * <p>Sample: id {@code gqa-<question id>}, the question as is, the one answer, family {@value #FAMILY},
 * subset the structural type ({@code verify}, {@code query}, {@code choose}, {@code logical},
 * {@code compare}) when given.
 */
public final class GqaLoader {
    public static final String FAMILY = "gqa";

    private GqaLoader() {
    }

    public static LoadResult load(Path questions, Path images, LoadOptions options) throws IOException {
        SampleSink sink = new SampleSink(images, options);
        SourceJson.members(questions, (key, value) -> {
            Entry at = Entry.of(questions, "question '" + key + "'");
            JsonObject o = at.object(value);
            String imageId = at.id(o, "imageId");
            String question = at.string(o, "question");
            String answer = at.string(o, "answer");
            String subset = structuralType(at, o);
            Path image = sink.image(at, imageId + ".jpg");
            if (image != null) {
                sink.add(at, new EvalSample("gqa-" + key, image, question, List.of(answer), FAMILY, subset, null));
            }
            return !sink.full();
        });
        return sink.result();
    }

    private static String structuralType(Entry at, JsonObject o) {
        JsonElement types = o.get("types");
        if (types == null || types.isJsonNull()) {
            return null;
        }
        if (!types.isJsonObject()) {
            throw at.error("field 'types' must be an object, found " + Entry.describe(types));
        }
        return at.optionalString(types.getAsJsonObject(), "structural");
    }
}
