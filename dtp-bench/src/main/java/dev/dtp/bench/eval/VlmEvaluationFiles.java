package dev.dtp.bench.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files that line our results up with vlm-evaluation's: per benchmark (family) and policy,
 * {@code OUT/vlm-evaluation/<family>/<policy>/metrics.json} with {@code dataset}, {@code
 * n_examples}, {@code model}, {@code summary} (the family's figures from {@link EvalReport}) and
 * {@code examples} (for POPE and VSR the summary also carries vlm-evaluation's own key names), and
 * {@code samples.jsonl} beside it: one line per question with its id,
 * prediction, probabilities, kept-token counts and prefill ms.
 */
final class VlmEvaluationFiles {
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();
    private static final Gson LINE = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
            .create();

    private VlmEvaluationFiles() {}

    /** Writes every (family, policy) pair's files; returns the directory they are under. */
    static Path write(Path out, String model, List<EvalSample> samples, List<SampleResult> results, EvalReport report)
            throws IOException {
        Path root = out.resolve("vlm-evaluation");
        Map<String, EvalSample> byId = new LinkedHashMap<>();
        samples.forEach(s -> byId.put(s.id(), s));
        for (EvalReport.Row row : report.rows()) {
            Map<String, List<SampleResult>> byFamily = new LinkedHashMap<>();
            for (SampleResult r : results) {
                if (r.policy().equals(row.policy()) && byId.containsKey(r.id())) {
                    byFamily.computeIfAbsent(r.family(), f -> new ArrayList<>()).add(r);
                }
            }
            for (Map.Entry<String, List<SampleResult>> e : byFamily.entrySet()) {
                Path dir = root.resolve(fileName(e.getKey())).resolve(fileName(row.policy()));
                Files.createDirectories(dir);
                JsonArray examples = new JsonArray();
                try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("samples.jsonl"), StandardCharsets.UTF_8)) {
                    for (SampleResult r : e.getValue()) {
                        JsonObject line = sampleLine(r);
                        w.write(LINE.toJson(line));
                        w.write('\n');
                        JsonObject example = line.deepCopy();
                        EvalSample s = byId.get(r.id());
                        example.addProperty("question", s.question());
                        JsonArray answers = new JsonArray();
                        s.answers().forEach(answers::add);
                        example.add("answers", answers);
                        examples.add(example);
                    }
                }
                JsonObject metrics = new JsonObject();
                metrics.addProperty("dataset", e.getKey());
                metrics.addProperty("n_examples", e.getValue().size());
                metrics.addProperty("model", model);
                metrics.addProperty("policy", row.policy());
                metrics.add("summary", summary(e.getKey(), row.details().get(e.getKey())));
                metrics.add("examples", examples);
                Files.writeString(dir.resolve("metrics.json"), PRETTY.toJson(metrics) + "\n", StandardCharsets.UTF_8);
            }
        }
        return root;
    }

    /**
     * The family's figures, with {@code accuracy} also for an open-ended family (its VQA accuracy),
     * and for POPE and VSR also under the keys vlm-evaluation's scorers write (docs/DATA.md).
     */
    static JsonObject summary(String family, JsonObject details) {
        JsonObject s = details == null ? new JsonObject() : details.deepCopy();
        if (!s.has("accuracy") && s.has("vqa_accuracy")) {
            s.add("accuracy", s.get("vqa_accuracy"));
        }
        if (family.equals("pope") && s.has("subsets")) {
            Map<String, Double> keys = new LinkedHashMap<>();
            double sum = 0;
            int splits = 0;
            for (Map.Entry<String, JsonElement> e : s.getAsJsonObject("subsets").entrySet()) {
                JsonObject split = e.getValue().getAsJsonObject();
                keys.put("POPE-" + e.getKey() + "-Accuracy", split.get("accuracy").getAsDouble());
                sum += split.get("accuracy").getAsDouble();
                splits++;
                copy(split, "aucroc", keys, "POPE-" + e.getKey() + "-AUCROC");
                copy(split, "aucpr", keys, "POPE-" + e.getKey() + "-AUCPR");
            }
            keys.put("POPE-final-Accuracy", sum / splits); // the mean of the splits' accuracies
            copy(s, "aucroc", keys, "POPE-final-AUCROC");
            copy(s, "aucpr", keys, "POPE-final-AUCPR");
            keys.forEach(s::addProperty);
            keys.forEach((k, v) -> s.addProperty("accuracy__" + k, v));
        } else if (family.equals("vsr")) {
            s.add("accuracy__VSR-ExactMatch", s.get("accuracy"));
            if (s.has("aucroc")) {
                s.add("accuracy__VSR-AUCROC", s.get("aucroc"));
                s.add("accuracy__VSR-AUCPR", s.get("aucpr"));
                s.add("auc-roc", s.get("aucroc"));
                s.add("auc-pr", s.get("aucpr"));
            }
        }
        return s;
    }

    private static void copy(JsonObject from, String key, Map<String, Double> to, String as) {
        if (from.has(key)) {
            to.put(as, from.get(key).getAsDouble());
        }
    }

    private static JsonObject sampleLine(SampleResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("question_id", r.id());
        o.addProperty("prediction", r.prediction());
        o.addProperty("scoring", r.scoring());
        JsonObject p = new JsonObject();
        r.probabilities().forEach(p::addProperty);
        o.add("probabilities", p);
        JsonArray kept = new JsonArray();
        for (int k : r.keptTokens()) {
            kept.add(k);
        }
        o.add("kept_tokens", kept);
        o.addProperty("prefill_ms", r.prefillMs());
        return o;
    }

    /** A policy spec or family as a file name: characters other than letters, digits, '.', '=' and '-' become '_'. */
    static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9.=-]", "_");
    }
}
