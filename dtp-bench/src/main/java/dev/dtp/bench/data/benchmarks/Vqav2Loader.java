package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.EvalSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * VQAv2: a questions file ({@code v2_OpenEnded_mscoco_val2014_questions.json}: {@code questions[]} with
 * {@code question_id}, {@code image_id}, {@code question}, and {@code data_subtype} such as {@code val2014})
 * and an annotations file ({@code v2_mscoco_val2014_annotations.json}: {@code annotations[]} with
 * {@code question_id}, {@code answers[]{answer}} (ten annotators) and {@code answer_type}). Images are
 * {@code COCO_<data_subtype>_<image_id, 12 digits>.jpg}; {@code val2014} when the file names no subtype.
 *
 * <p>Sample: id {@code vqav2-<question_id>}, the question as is, all ten annotators' answers (duplicates
 * kept: {@code VqaMetrics.vqaAccuracy} counts them), family {@value #FAMILY}, subset the answer type
 * ({@code yes/no}, {@code number}, {@code other}).
 */
public final class Vqav2Loader {
    public static final String FAMILY = "vqav2";
    private static final Pattern SUBTYPE = Pattern.compile("[A-Za-z0-9-]+");

    private Vqav2Loader() {
    }

    private record Question(Entry at, String id, long imageId, String text) {}

    private record Pending(Entry at, Question question, Path image) {}

    private record Annotation(List<String> answers, String answerType) {}

    public static LoadResult load(Path questions, Path annotations, Path images, LoadOptions options) throws IOException {
        SampleSink sink = new SampleSink(images, options);
        // 1. every question (the image names need data_subtype, which may follow the array)
        List<Question> all = new ArrayList<>();
        Map<String, Entry> seen = new HashMap<>();
        JsonObject header = SourceJson.array(questions, "questions", (index, value) -> {
            Entry at = Entry.of(questions, "questions[" + index + "]");
            JsonObject o = at.object(value);
            String id = at.id(o, "question_id");
            at = at.named("question_id " + id);
            if (seen.putIfAbsent(id, at) != null) {
                throw at.error("duplicate question_id " + id);
            }
            all.add(new Question(at, id, at.nonNegativeLong(o, "image_id"), at.string(o, "question")));
            return true;
        });
        String subtype = subtype(questions, header);
        // 2. those whose image exists, up to the limit
        Map<String, Pending> chosen = new LinkedHashMap<>();
        for (Question q : all) {
            if (chosen.size() >= options.limit()) {
                break;
            }
            Path image = sink.image(q.at(), String.format(Locale.ROOT, "COCO_%s_%012d.jpg", subtype, q.imageId()));
            if (image != null) {
                chosen.put(q.id(), new Pending(q.at(), q, image));
            }
        }
        // 3. their annotations
        Map<String, Annotation> found = new HashMap<>();
        SourceJson.array(annotations, "annotations", (index, value) -> {
            Entry at = Entry.of(annotations, "annotations[" + index + "]");
            JsonObject o = at.object(value);
            String id = at.id(o, "question_id");
            Pending p = chosen.get(id);
            if (p == null) {
                return true;
            }
            at = at.named("question_id " + id);
            if (o.has("image_id") && at.nonNegativeLong(o, "image_id") != p.question().imageId()) {
                throw at.error("image_id " + o.get("image_id") + " differs from the questions file's "
                        + p.question().imageId());
            }
            Annotation a = new Annotation(at.stringsOf(o, "answers", "answer"), at.optionalString(o, "answer_type"));
            if (found.putIfAbsent(id, a) != null) {
                throw at.error("a second annotation for question_id " + id);
            }
            return found.size() < chosen.size();
        });
        for (Pending p : chosen.values()) {
            Annotation a = found.get(p.question().id());
            if (a == null) {
                throw new DatasetException(annotations, "question_id " + p.question().id(),
                        "no annotation for this question of " + questions);
            }
            sink.add(p.at(), new EvalSample(FAMILY + "-" + p.question().id(), p.image(), p.question().text(),
                    a.answers(), FAMILY, a.answerType(), null));
        }
        return sink.result();
    }

    private static String subtype(Path questions, JsonObject header) {
        if (!header.has("data_subtype")) {
            return "val2014";
        }
        String s = header.get("data_subtype").getAsString();
        if (!SUBTYPE.matcher(s).matches()) {
            throw new DatasetException(questions, "the top level", "field 'data_subtype' is not a COCO split name: '" + s + "'");
        }
        return s;
    }
}
