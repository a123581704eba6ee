package dev.dtp.bench.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.benchmarks.BenchmarkScore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores every policy's answers and lays them out as the paper's Table 1: one row per policy, one
 * column per question family or benchmark, the FLOPs ratio, the average, and each cell's change
 * against the unpruned row. Open-ended families score VQA accuracy (exact match for one reference);
 * yes/no families (all answers "yes" or "no") score accuracy, with F1 and the yes-ratio in the JSON.
 */
public final class EvalReport {
    /**
     * One policy's scores.
     *
     * @param prefillMs mean prefill milliseconds per question (image prefills included)
     * @param prefillMsTotal all prefills of the policy, milliseconds
     * @param visualPrefills how many image prefills ran (one per image with the image cache)
     * @param imageCache "on", "off", or why it was off for this policy
     * @param prefillMsMedian median prefill milliseconds per question
     * @param cost wall time and peak memory of this run's answers ({@link PolicyCost#NONE} if unknown)
     */
    public record Row(String policy, int samples, double flopsRatio, double accuracy, Map<String, Double> byFamily,
            Map<String, JsonObject> details, double prefillMs, double prefillMsTotal, int visualPrefills,
            String imageCache, double prefillMsMedian, PolicyCost cost) {}

    private final List<Row> rows;
    private final List<String> families;
    private final List<String> notes;

    private EvalReport(List<Row> rows, List<String> families, List<String> notes) {
        this.rows = List.copyOf(rows);
        this.families = List.copyOf(families);
        this.notes = List.copyOf(notes);
    }

    /** This report with lines for results.md's foot (how questions were scored, fallbacks). */
    public EvalReport withNotes(List<String> more) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(more);
        return new EvalReport(rows, families, all);
    }

    public List<String> notes() {
        return notes;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Builds the report from the samples and every policy's results, in the policies' order. */
    public static EvalReport of(List<EvalSample> samples, List<String> policies, List<SampleResult> results) {
        return of(samples, policies, results, Map.of());
    }

    /** As {@link #of(List, List, List)}, with each policy's image-cache setting for the report. */
    public static EvalReport of(List<EvalSample> samples, List<String> policies, List<SampleResult> results,
            Map<String, String> imageCache) {
        return of(samples, policies, results, imageCache, Map.of());
    }

    /** As {@link #of(List, List, List, Map)}, with what each policy's answers cost. */
    public static EvalReport of(List<EvalSample> samples, List<String> policies, List<SampleResult> results,
            Map<String, String> imageCache, Map<String, PolicyCost> costs) {
        Set<String> yesNo = yesNoFamilies(samples);
        Map<String, EvalSample> byId = new LinkedHashMap<>();
        samples.forEach(s -> byId.put(s.id(), s));
        Set<String> families = new TreeSet<>();
        samples.forEach(s -> families.add(s.family()));
        List<Row> rows = new ArrayList<>();
        for (String policy : policies) {
            BenchmarkScore score = new BenchmarkScore(yesNo);
            double flops = 0;
            double ms = 0;
            int visualPrefills = 0;
            double sum = 0;
            int n = 0;
            List<Double> prefills = new ArrayList<>();
            Map<String, List<YesNoScores.Answer>> yesNoAnswers = new TreeMap<>();
            for (SampleResult r : results) {
                if (!r.policy().equals(policy) || !byId.containsKey(r.id())) {
                    continue;
                }
                EvalSample s = byId.get(r.id());
                score.add(s, r.prediction());
                BenchmarkScore one = new BenchmarkScore(yesNo).add(s, r.prediction());
                BenchmarkScore.Score sc = one.family(s.family());
                sum += sc.isYesNo() ? sc.yesNo().accuracy() : sc.vqaAccuracy();
                flops += r.flopsRatio();
                ms += r.prefillMs();
                prefills.add(r.prefillMs());
                if (yesNo.contains(s.family())) {
                    yesNoAnswers.computeIfAbsent(s.family(), k -> new ArrayList<>()).add(new YesNoScores.Answer(s, r));
                }
                visualPrefills += r.visualPrefill() ? 1 : 0;
                n++;
            }
            Map<String, Double> byFamily = new LinkedHashMap<>();
            Map<String, JsonObject> details = new LinkedHashMap<>();
            for (String f : score.families()) {
                BenchmarkScore.Score sc = score.family(f);
                byFamily.put(f, sc.isYesNo() ? sc.yesNo().accuracy() : sc.vqaAccuracy());
                JsonObject d;
                if (sc.isYesNo()) {
                    d = YesNoScores.of(yesNoAnswers.get(f));
                } else {
                    d = new JsonObject();
                    d.addProperty("count", sc.count());
                    d.addProperty("vqa_accuracy", sc.vqaAccuracy());
                }
                details.put(f, d);
            }
            rows.add(new Row(policy, n, n == 0 ? Double.NaN : flops / n, n == 0 ? Double.NaN : sum / n, byFamily, details,
                    n == 0 ? Double.NaN : ms / n, ms, visualPrefills, imageCache.get(policy), median(prefills),
                    costs.getOrDefault(policy, PolicyCost.NONE)));
        }
        return new EvalReport(rows, new ArrayList<>(families), List.of());
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }

    /** Families whose every reference answer is a single "yes" or "no". */
    static Set<String> yesNoFamilies(List<EvalSample> samples) {
        Map<String, Boolean> yn = new LinkedHashMap<>();
        for (EvalSample s : samples) {
            boolean isYesNo = s.answers().stream().allMatch(a -> a.equalsIgnoreCase("yes") || a.equalsIgnoreCase("no"));
            yn.merge(s.family(), isYesNo, Boolean::logicalAnd);
        }
        Set<String> out = new TreeSet<>();
        yn.forEach((f, b) -> {
            if (b) {
                out.add(f);
            }
        });
        return out;
    }

    private Row baseline() {
        return rows.stream().filter(r -> r.policy().equals("none")).findFirst().orElse(null);
    }

    /** results.json: one object per policy with policy, flops_ratio, accuracy (0..1), by_family, and more. */
    public String toJson() {
        JsonArray a = new JsonArray();
        Row base = baseline();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("policy", r.policy());
            o.addProperty("samples", r.samples());
            o.addProperty("flops_ratio", r.flopsRatio());
            o.addProperty("accuracy", r.accuracy());
            JsonObject f = new JsonObject();
            r.byFamily().forEach(f::addProperty);
            o.add("by_family", f);
            JsonObject d = new JsonObject();
            r.details().forEach(d::add);
            o.add("metrics", d);
            if (base != null) {
                o.addProperty("accuracy_delta", r.accuracy() - base.accuracy());
            }
            o.addProperty("prefill_ms_mean", r.prefillMs());
            o.addProperty("prefill_ms_total", r.prefillMsTotal());
            o.addProperty("prefill_ms_median", r.prefillMsMedian());
            o.addProperty("wall_s", r.cost().wallNanos() / 1e9);
            if (r.cost().peakResidentBytes() >= 0) {
                o.addProperty("peak_rss_mb", r.cost().peakResidentBytes() / (double) (1 << 20));
            }
            o.addProperty("questions", r.samples());
            o.addProperty("visual_prefills", r.visualPrefills());
            if (r.imageCache() != null) {
                o.addProperty("image_cache", r.imageCache());
            }
            a.add(o);
        }
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(a);
    }

    public String toCsv() {
        StringBuilder sb = new StringBuilder("policy,samples,flops_ratio,accuracy");
        families.forEach(f -> sb.append(',').append(f));
        sb.append('\n');
        for (Row r : rows) {
            sb.append('"').append(r.policy().replace("\"", "\"\"")).append('"').append(',').append(r.samples())
                    .append(',').append(fmt(r.flopsRatio())).append(',').append(fmt(r.accuracy()));
            for (String f : families) {
                sb.append(',').append(fmt(r.byFamily().getOrDefault(f, Double.NaN)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The Markdown table, percentages, with the change against "none" in parentheses. */
    public String toMarkdown() {
        Row base = baseline();
        StringBuilder sb = new StringBuilder("| Method | FLOPs ratio |");
        families.forEach(f -> sb.append(' ').append(f).append(" |"));
        sb.append(" Avg | prefill ms/q | prefill ms median | wall s | peak RSS MiB |\n|---|---:|");
        families.forEach(f -> sb.append("---:|"));
        sb.append("---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append("| `").append(r.policy()).append("` | ").append(pct(r.flopsRatio())).append(" |");
            for (String f : families) {
                double v = r.byFamily().getOrDefault(f, Double.NaN);
                sb.append(' ').append(cell(v, base == null || r == base ? Double.NaN : base.byFamily().getOrDefault(f, Double.NaN)))
                        .append(" |");
            }
            sb.append(' ').append(cell(r.accuracy(), base == null || r == base ? Double.NaN : base.accuracy())).append(" |")
                    .append(Double.isNaN(r.prefillMs()) ? " –" : String.format(Locale.ROOT, " %.1f", r.prefillMs()))
                    .append(" |")
                    .append(Double.isNaN(r.prefillMsMedian()) ? " –" : String.format(Locale.ROOT, " %.1f", r.prefillMsMedian()))
                    .append(" |").append(String.format(Locale.ROOT, " %.1f", r.cost().wallNanos() / 1e9)).append(" |")
                    .append(r.cost().peakResidentBytes() < 0 ? " –"
                            : String.format(Locale.ROOT, " %d", r.cost().peakResidentBytes() >> 20))
                    .append(" |\n");
        }
        List<String> uncached = rows.stream().filter(r -> r.imageCache() != null && !r.imageCache().equals("on"))
                .map(r -> "`" + r.policy() + "` " + r.imageCache()).toList();
        boolean anyCached = rows.stream().anyMatch(r -> "on".equals(r.imageCache()));
        if (anyCached || !uncached.isEmpty()) {
            sb.append('\n').append(anyCached ? "Image cache on: each image prefilled once per policy" : "Image cache off")
                    .append(uncached.isEmpty() || !anyCached ? "" : "; uncached: " + String.join(", ", uncached))
                    .append(". Prefill ms/q: mean prefill per question, image prefills included.\n");
        }
        if (rows.stream().anyMatch(r -> r.cost().wallNanos() > 0)) {
            sb.append("\nWall s: this run's time answering the policy's questions (a resumed run counts only its own); "
                    + "peak RSS: the process's resident memory at the end of an image's answers, largest over images.\n");
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            notes.forEach(n -> sb.append(n).append('\n'));
        }
        return sb.toString();
    }

    private static String cell(double v, double base) {
        if (Double.isNaN(v)) {
            return "–";
        }
        String s = String.format(Locale.ROOT, "%.1f", 100 * v);
        return Double.isNaN(base) ? s : s + String.format(Locale.ROOT, " (%+.1f)", 100 * (v - base));
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
