package dev.dtp.bench.eval;

import com.google.gson.JsonObject;
import java.io.Serializable;

/**
 * One policy's answer to one sample, as appended to {@code predictions.jsonl} (one JSON object per
 * line), which is what makes an eval resumable. Serializable: a Spark task sends its answers to the driver.
 *
 * @param prefillMs prefill wall time of this answer: its own tokens, plus the image's when
 *     {@code visualPrefill}
 * @param visualPrefill whether an image prefill ran for this answer (every answer without the
 *     image cache; the first question of each image with it)
 */
public record SampleResult(String policy, String id, String family, String subset, String prediction, double macs,
        double baselineMacs, double prefillMs, boolean visualPrefill) implements Serializable {

    public double flopsRatio() {
        return macs / baselineMacs;
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
        return o;
    }

    static SampleResult fromJson(JsonObject o) {
        return new SampleResult(o.get("policy").getAsString(), o.get("id").getAsString(), o.get("family").getAsString(),
                o.has("subset") ? o.get("subset").getAsString() : null, o.get("prediction").getAsString(),
                o.get("macs").getAsDouble(), o.get("baseline_macs").getAsDouble(), o.get("prefill_ms").getAsDouble(),
                !o.has("visual_prefill") || o.get("visual_prefill").getAsBoolean());
    }
}
