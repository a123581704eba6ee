package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.io.IOException;
import java.nio.file.Path;

/**
 * VizWiz-VQA ({@code val.json}): a top-level array whose entries hold {@code image}
 * ({@code VizWiz_val_00000000.jpg}), {@code question}, {@code answers[]} (ten objects with {@code answer}
 * and {@code answer_confidence}), {@code answerable} and {@code answer_type}.
 *
 * <p>Sample: id {@code vizwiz-<image name without extension>} (one question per image), the question as is,
 * all ten answers (including {@code unanswerable}; the confidences are not used), family {@value #FAMILY},
 * subset the answer type ({@code other}, {@code yes/no}, {@code number}, {@code unanswerable}).
 */
public final class VizWizLoader {
    public static final String FAMILY = "vizwiz";

    private VizWizLoader() {
    }

    public static LoadResult load(Path questions, Path images, LoadOptions options) throws IOException {
        SampleSink sink = new SampleSink(images, options);
        SourceJson.array(questions, null, (index, value) -> {
            Entry at = Entry.of(questions, "[" + index + "]");
            JsonObject o = at.object(value);
            String image = at.string(o, "image");
            at = at.named("image " + image);
            String question = at.string(o, "question");
            if (!o.has("answers")) {
                throw at.error("missing field 'answers' (the test split has none; use the train or val file)");
            }
            var answers = at.stringsOf(o, "answers", "answer");
            String answerType = at.optionalString(o, "answer_type");
            Path path = sink.image(at, image);
            if (path != null) {
                String stem = image.contains(".") ? image.substring(0, image.lastIndexOf('.')) : image;
                sink.add(at, new EvalSample(FAMILY + "-" + stem, path, question, answers, FAMILY, answerType, null));
            }
            return !sink.full();
        });
        return sink.result();
    }
}
