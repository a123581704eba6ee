package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.io.IOException;
import java.nio.file.Path;

/**
 * TextVQA ({@code TextVQA_0.5.1_val.json}): {@code data[]} with {@code question_id}, {@code question},
 * {@code image_id} and {@code answers[]} (ten strings); images are {@code <image_id>.jpg} (the validation
 * images sit in {@code train_images/}).
 *
 * <p>Sample: id {@code textvqa-<question_id>}, the question as is, all ten answers, family
 * {@value #FAMILY}, no subset.
 */
public final class TextVqaLoader {
    public static final String FAMILY = "textvqa";

    private TextVqaLoader() {
    }

    public static LoadResult load(Path questions, Path images, LoadOptions options) throws IOException {
        SampleSink sink = new SampleSink(images, options);
        SourceJson.array(questions, "data", (index, value) -> {
            Entry at = Entry.of(questions, "data[" + index + "]");
            JsonObject o = at.object(value);
            String id = at.id(o, "question_id");
            at = at.named("question_id " + id);
            String question = at.string(o, "question");
            String imageId = at.id(o, "image_id");
            if (!o.has("answers")) {
                throw at.error("missing field 'answers' (the test split has none; use the train or val file)");
            }
            var answers = at.strings(o, "answers");
            Path image = sink.image(at, imageId + ".jpg");
            if (image != null) {
                sink.add(at, new EvalSample(FAMILY + "-" + id, image, question, answers, FAMILY, null, null));
            }
            return !sink.full();
        });
        return sink.result();
    }
}
