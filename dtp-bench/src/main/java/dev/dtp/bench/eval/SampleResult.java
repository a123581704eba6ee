package dev.dtp.bench.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One policy's answer to one sample, as appended to {@code predictions.jsonl} (one JSON object per
 * line), which is what makes an eval resumable. Serializable: a Spark task sends its answers to the driver.
 *
 * @param prefillMs prefill wall time of this answer: its own tokens, plus the image's when
 *     {@code visualPrefill}
 * @param visualPrefill whether an image prefill ran for this answer (every answer without the
 *     image cache; the first question of each image with it)
 * @param scoring {@code "generate"} or {@code "probability"}
 * @param probabilities each candidate's probability at the first answer step, renormalised over
 *     the candidates (probability scoring), else empty
 * @param keptTokens tokens each layer processed after pruning, layer by layer (image included)
 */
public record SampleResult(String policy, String id, String family, String subset, String prediction, double macs,
        double baselineMacs, double prefillMs, boolean visualPrefill, String scoring, Map<String, Double> probabilities,
        int[] keptTokens) implements Serializable {

    public SampleResult {
        probabilities = probabilities == null ? Map.of() : Collections.unmodifiableMap(
                new LinkedHashMap<>(probabilities));
        keptTokens = keptTokens == null ? new int[0] : keptTokens.clone();
    }

    public double flopsRatio() {
        return macs / baselineMacs;
    }

    /** The probability of {@code candidate} (compared ignoring case), or NaN if it has none. */
    public double probability(String candidate) {
        for (Map.Entry<String, Double> e : probabilities.entrySet()) {
            if (e.getKey().trim().equalsIgnoreCase(candidate)) {
                return e.getValue();
            }
        }
        return Double.NaN;
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("policy", policy);
        o.addProperty("id", id);
        o.addProperty("family", family);
        if (subset != null) {
            o.addProperty("subset", subset);
        }
        o.addProperty("prediction", prediction);
        o.addProperty("macs", macs);
        o.addProperty("baseline_macs", baselineMacs);
        o.addProperty("flops_ratio", flopsRatio());
        o.addProperty("prefill_ms", prefillMs);
        o.addProperty("visual_prefill", visualPrefill);
        o.addProperty("scoring", scoring);
        if (!probabilities.isEmpty()) {
            JsonObject p = new JsonObject();
            probabilities.forEach(p::addProperty);
            o.add("probabilities", p);
        }
        JsonArray kept = new JsonArray();
        for (int k : keptTokens) {
            kept.add(k);
        }
        o.add("kept_tokens", kept);
        return o;
    }

    static SampleResult fromJson(JsonObject o) {
        Map<String, Double> p = new LinkedHashMap<>();
        if (o.has("probabilities")) {
            o.getAsJsonObject("probabilities").entrySet().forEach(e -> p.put(e.getKey(), e.getValue().getAsDouble()));
        }
        int[] kept = new int[0];
        if (o.has("kept_tokens")) {
            JsonArray a = o.getAsJsonArray("kept_tokens");
            kept = new int[a.size()];
            int i = 0;
            for (JsonElement e : a) {
                kept[i++] = e.getAsInt();
            }
        }
        return new SampleResult(o.get("policy").getAsString(), o.get("id").getAsString(), o.get("family").getAsString(),
                o.has("subset") ? o.get("subset").getAsString() : null, o.get("prediction").getAsString(),
                o.get("macs").getAsDouble(), o.get("baseline_macs").getAsDouble(), o.get("prefill_ms").getAsDouble(),
                !o.has("visual_prefill") || o.get("visual_prefill").getAsBoolean(),
                o.has("scoring") ? o.get("scoring").getAsString() : "generate", p, kept);
    }
}
