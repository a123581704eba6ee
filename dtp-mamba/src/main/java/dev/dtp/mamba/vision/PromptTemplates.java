package dev.dtp.mamba.vision;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model family's prompt templates, one per benchmark: config.json's {@code vision.prompts}
 * object (benchmark name → template), falling back to {@code vision.prompt} for any other
 * benchmark. A template holds {@code {question}}; the {@value #TEXTVQA_OCR} template also holds
 * {@code {ocr}}, and is used for a {@code textvqa} question that carries its OCR tokens the way
 * vlm-evaluation's data does ({@code <question>\nReference OCR token: <tokens>}). docs/DATA.md,
 * "Prompt templates".
 */
public final class PromptTemplates {
    public static final String QUESTION = "{question}";
    public static final String OCR = "{ocr}";
    public static final String TEXTVQA = "textvqa";
    public static final String TEXTVQA_OCR = "textvqa-ocr";
    /** Where vlm-evaluation's TextVQA questions (LLaVA's OCR file) append the image's OCR tokens. */
    public static final String OCR_MARKER = "\nReference OCR token: ";

    private final String fallback;
    private final Map<String, String> byBenchmark;

    private PromptTemplates(String fallback, Map<String, String> byBenchmark) {
        this.fallback = fallback;
        this.byBenchmark = Map.copyOf(byBenchmark);
    }

    /** One template for every benchmark. */
    public static PromptTemplates single(String template, String source) {
        return new PromptTemplates(checked(template, "prompt", source), Map.of());
    }

    /**
     * {@code fallback} for any benchmark, {@code byBenchmark} for those it names; {@code source} names
     * the file (or flag) in error messages.
     *
     * @throws ConfigException naming the source and the benchmark when a template lacks a placeholder
     */
    public static PromptTemplates of(String fallback, Map<String, String> byBenchmark, String source) {
        Map<String, String> checked = new LinkedHashMap<>();
        byBenchmark.forEach((benchmark, t) -> checked.put(benchmark, checked(t, "prompts." + benchmark, source)));
        if (checked.containsKey(TEXTVQA_OCR) && !checked.get(TEXTVQA_OCR).contains(OCR)) {
            throw new ConfigException(source + ": vision.prompts." + TEXTVQA_OCR + " (benchmark " + TEXTVQA_OCR
                    + ") must contain " + OCR + ", got '" + checked.get(TEXTVQA_OCR) + "'");
        }
        return new PromptTemplates(checked(fallback, "prompt", source), checked);
    }

    /** config.json's vision section: {@code prompt} (default {@code {question}}) and {@code prompts}. */
    public static PromptTemplates fromJson(JsonObject vision, String source) {
        JsonElement p = vision.get("prompt");
        String fallback = p == null || p.isJsonNull() ? QUESTION : text(p, "vision.prompt", source);
        Map<String, String> byBenchmark = new LinkedHashMap<>();
        JsonElement e = vision.get("prompts");
        if (e != null && !e.isJsonNull()) {
            if (!e.isJsonObject()) {
                throw new ConfigException(source + ": vision.prompts must be an object of benchmark name to template");
            }
            for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
                byBenchmark.put(x.getKey(), text(x.getValue(), "vision.prompts." + x.getKey(), source));
            }
        }
        return of(fallback, byBenchmark, source);
    }

    /** These templates with {@code overrides} (benchmark → template; key "" replaces every template). */
    public PromptTemplates with(Map<String, String> overrides, String source) {
        if (overrides.isEmpty()) {
            return this;
        }
        String all = overrides.get("");
        Map<String, String> merged = new LinkedHashMap<>(all == null ? byBenchmark : Map.of());
        overrides.forEach((b, t) -> {
            if (!b.isEmpty()) {
                merged.put(b, t);
            }
        });
        return of(all == null ? fallback : all, merged, source);
    }

    /** The template a question of {@code benchmark} uses (the OCR variant when the question carries OCR tokens). */
    public String template(String benchmark, String question) {
        String key = key(benchmark, question);
        return byBenchmark.getOrDefault(key, key.equals(TEXTVQA_OCR) ? byBenchmark.getOrDefault(TEXTVQA, fallback)
                : fallback);
    }

    /** The prompt for one question of {@code benchmark} (null: no benchmark, the fallback). */
    public String fill(String benchmark, String question) {
        String t = template(benchmark, question);
        int at = question.indexOf(OCR_MARKER);
        if (at >= 0 && t.contains(OCR)) {
            return t.replace(OCR, question.substring(at + OCR_MARKER.length()))
                    .replace(QUESTION, question.substring(0, at));
        }
        return t.replace(QUESTION, question);
    }

    /** The template used for benchmarks without their own. */
    public String fallback() {
        return fallback;
    }

    /** The benchmark-specific templates, by benchmark name. */
    public Map<String, String> byBenchmark() {
        return byBenchmark;
    }

    /** The {@code prompts} object of config.json's vision section. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        byBenchmark.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> o.addProperty(e.getKey(),
                e.getValue()));
        return o;
    }

    private static String key(String benchmark, String question) {
        if (benchmark == null) {
            return "";
        }
        return benchmark.equals(TEXTVQA) && question.contains(OCR_MARKER) ? TEXTVQA_OCR : benchmark;
    }

    private static String checked(String template, String field, String source) {
        if (!template.contains(QUESTION)) {
            String benchmark = field.startsWith("prompts.") ? " (benchmark " + field.substring(8) + ")" : "";
            throw new ConfigException(source + ": vision." + field + benchmark + " must contain " + QUESTION + ", got '"
                    + template + "'");
        }
        return template;
    }

    private static String text(JsonElement e, String field, String source) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ConfigException(source + ": " + field + " must be a string");
        }
        return e.getAsString();
    }
}
