package dev.dtp.bench.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.BenchCommand;
import dev.dtp.bench.cli.CommonOptions;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import dev.dtp.mamba.vision.PromptTemplates;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dtp eval}: every policy on every sample of an eval JSONL, greedy answers, metrics per
 * family, FLOPs ratio, and the change against no pruning. Each answer is appended to
 * {@code OUT/predictions.jsonl} as soon as it is known; a rerun with the same {@code --out} skips
 * what is already there, so an interrupted run continues where it stopped — but only if the model,
 * its calibration, the data and the settings are the same ({@link RunFingerprint}, kept in
 * {@code OUT/run.json}); otherwise it starts over.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate pruning policies on a JSONL dataset: Markdown table (paper's Table 1 layout), CSV and results.json.")
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Multimodal model directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Eval samples (docs/DATA.md).")
    Path data;

    @Option(names = "--policies", split = BenchCommand.POLICY_LIST, paramLabel = "SPEC",
            description = "Comma-separated policy specs, e.g. none,dtp,fastv:k=3,r=0.5.")
    List<String> policies;

    @Option(names = "--out", defaultValue = "eval-output", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N samples (0 = all).")
    int limit;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "calibration.json from 'dtp calibrate' (default: the model directory's, if any).")
    Path calibration;

    @Option(names = "--max-new-tokens", defaultValue = "8", description = "Answer length limit (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--image-cache", defaultValue = "on", paramLabel = "on|off",
            description = "Prefill each image once per policy and continue every question about it from that state "
                    + "(default ${DEFAULT-VALUE}; policies that are not prefix-safe always run uncached).")
    String imageCache;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Decode up to N answers about one image together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--scoring", defaultValue = "auto", paramLabel = "auto|generate|probability",
            description = "Score by generated text or by the candidates' probabilities at the first answer step; auto "
                    + "chooses per benchmark as vlm-evaluation does (default ${DEFAULT-VALUE}; docs/DATA.md).")
    String scoring;

    @Option(names = "--prompt-template", paramLabel = "[BENCHMARK=]TEMPLATE",
            description = "Prompt template with {question}, replacing the model directory's (vision.prompts / vision.prompt): "
                    + "for every benchmark, or with BENCHMARK= for that one only; repeatable (docs/DATA.md).")
    List<String> promptTemplates;

    @Option(names = "--sweep", paramLabel = "r=R,R,...",
            description = "Keep-ratio sweep: DTP at each r, FastV, DART and VTW at matched FLOPs, the calibrated default; "
                    + "writes sweep.png and sweep.csv (e.g. r=1.0,0.9,...,0.3).")
    String sweep;

    @Option(names = "--sweep-layer", defaultValue = "2", paramLabel = "K",
            description = "FastV's and DART's layer in the sweep (default ${DEFAULT-VALUE}).")
    int sweepLayer;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Run on Apache Spark: local[N], spark://HOST:7077, yarn or k8s://... (needs the dtp-spark module; "
                    + "each task uses spark.task.cpus threads).")
    String spark;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        ScoringMode mode = scoringMode();
        List<Double> sweepRatios = sweepRatios();
        List<JsonlDataset.Numbered> lines = JsonlDataset.readNumbered(data);
        if (limit > 0 && lines.size() > limit) {
            lines = lines.subList(0, limit);
        }
        List<EvalSample> samples = lines.stream().map(JsonlDataset.Numbered::sample).toList();
        Path predictions = out.resolve("predictions.jsonl");
        List<SampleResult> results;
        // the model loads (or, on a cluster, its files are checked) and every policy parses before anything is
        // written, so bad flags leave OUT alone
        try (EvalSession session = open(o, mode, sweepRatios, lines, samples)) {
            results = startRun(o, predictions);
            Set<String> done = new HashSet<>();
            results.forEach(r -> done.add(EvalRun.key(r.policy(), r.id())));
            long total = (long) samples.size() * names().size();
            if (!done.isEmpty()) {
                o.printf("Resuming: %d of %d answers already in %s%n", Math.min(done.size(), total), total, predictions);
            }
            Progress progress = new Progress(o, "eval", total);
            long[] finished = {Math.min(done.size(), total)};
            List<SampleResult> collected = results;
            try (BufferedWriter w = Files.newBufferedWriter(predictions, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                session.answer(EvalRun.byImage(samples), done, r -> {
                    collected.add(r);
                    append(w, r);
                    progress.update(++finished[0], r.id());
                });
            }
            progress.update(total, "");
            cacheNotes.putAll(session.imageCacheNotes());
            costs.putAll(session.costs());
        }
        EvalReport report = EvalReport.of(samples, names(), results, cacheNotes, costs).withNotes(plan.notes());
        Files.writeString(out.resolve("results.json"), report.toJson() + "\n", StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.csv"), report.toCsv(), StandardCharsets.UTF_8);
        VlmEvaluationFiles.write(out, model.toAbsolutePath().normalize().getFileName().toString(), samples, results,
                report);
        if (sweepPlan != null) {
            SweepChart.write(out, SweepChart.measure(sweepPlan, report),
                    "accuracy vs FLOPs: " + model.toAbsolutePath().normalize().getFileName());
            o.printf("Wrote %s and sweep.csv%n", out.resolve("sweep.png"));
        }
        String md = report.toMarkdown();
        Files.writeString(out.resolve("results.md"), md, StandardCharsets.UTF_8);
        o.println();
        o.print(md);
        o.printf("%nWrote %s, results.csv, results.json, predictions.jsonl, vlm-evaluation/<benchmark>/<policy>/"
                + "{metrics.json,samples.jsonl}%n", out.resolve("results.md"));
        o.flush();
        return 0;
    }

    /**
     * This JVM's model, or a Spark cluster's executors when --spark is given. In this JVM the sweep's
     * policies are planned on the loaded model and the scoring plan uses its tokenizer.
     */
    private EvalSession open(PrintWriter o, ScoringMode mode, List<Double> sweepRatios, List<JsonlDataset.Numbered> lines,
            List<EvalSample> samples) {
        if (spark == null) {
            VisionLanguageModel vlm = VisionLanguageModel.load(model, calibration == null ? common.builder()
                    : common.builder().calibration(calibration));
            try {
                List<String> specs = new ArrayList<>(policies == null ? List.of()
                        : policies.stream().map(String::trim).toList());
                if (sweepRatios != null) {
                    if (samples.isEmpty()) {
                        throw new DatasetException(data, "no samples to sweep over");
                    }
                    sweepPlan = KeepRatioSweep.plan(sweepRatios, vlm.model().pruningDefaults(),
                            vlm.model().config().shape(),
                            EvalInputs.layout(vlm, EvalRun.prompts(vlm, settings()), samples.get(0)), sweepLayer);
                    sweepPlan.forEach(p -> o.println("sweep: " + KeepRatioSweep.describe(p)));
                    KeepRatioSweep.specs(sweepPlan).stream().filter(x -> !specs.contains(x)).forEach(specs::add);
                }
                policies = specs;
                List<PruningPolicy> parsed = new ArrayList<>();
                for (String p : specs) {
                    parsed.add(PolicySpec.parse(p, vlm.model().pruningDefaults(), vlm.model().layerCount()));
                }
                plan = ScoringPlan.of(mode, data, lines, vlm.tokenizer()::encode);
                EvalRun run = new EvalRun(vlm, specs, parsed, settings())
                        .scoring(plan);
                return new LoadedEval(vlm, run);
            } catch (RuntimeException e) {
                vlm.close();
                throw e;
            }
        }
        if (sweepRatios != null) {
            throw new ParameterException(spec.commandLine(), "--sweep runs in one JVM: drop --spark");
        }
        if (common.threads() != null) {
            throw new ParameterException(spec.commandLine(), "--threads does not apply with --spark: each task uses "
                    + "spark.task.cpus libtorch threads and the executor's cores for the scan");
        }
        if (mode != ScoringMode.GENERATE && Files.isDirectory(model)) {
            try (MambaTokenizer tokenizer = MambaTokenizer.load(model)) {
                if (ScoringPlan.of(mode, data, lines, tokenizer::encode).anyProbability()) {
                    throw new ParameterException(spec.commandLine(), "probability scoring runs in one JVM for now: "
                            + "drop --spark, or give --scoring generate");
                }
            }
        }
        EvalJob job = new EvalJob(model.toAbsolutePath().toString(),
                calibration == null ? null : calibration.toAbsolutePath().toString(), names(),
                settings(), common.deviceName());
        common.apply(); // checks --dtype
        return EvalCluster.find().open(spark, job);
    }

    /**
     * Writes OUT/run.json and returns the answers already in predictions.jsonl, after deleting them if they
     * were made with another model, calibration, data file or settings.
     */
    private List<SampleResult> startRun(PrintWriter o, Path predictions) throws IOException {
        Files.createDirectories(out);
        Path runFile = out.resolve("run.json");
        String fingerprint = RunFingerprint.of(model, calibration, data, "max-new-tokens=" + maxNewTokens
                + ",scoring=" + scoring + (promptOverrides().isEmpty() ? "" : ",prompts=" + new TreeMap<>(promptOverrides())));
        if (Files.exists(predictions) && !fingerprint.equals(savedFingerprint(runFile))) {
            o.printf("%s was made with another model, calibration, data file or settings: starting over%n", predictions);
            Files.delete(predictions);
        }
        JsonObject run = new JsonObject();
        run.addProperty("fingerprint", fingerprint);
        run.addProperty("model", model.toString());
        run.addProperty("data", data.toString());
        Files.writeString(runFile, run + "\n", StandardCharsets.UTF_8);
        return readExisting(predictions);
    }

    private final Map<String, String> cacheNotes = new LinkedHashMap<>();
    private ScoringPlan plan = ScoringPlan.generateAll();
    private final Map<String, PolicyCost> costs = new LinkedHashMap<>();

    private List<KeepRatioSweep.Point> sweepPlan;

    private EvalRun.Settings settings() {
        return new EvalRun.Settings(maxNewTokens, cacheOn(), batch, promptOverrides());
    }

    /** --prompt-template values by benchmark ("" for every benchmark). */
    private Map<String, String> promptOverrides() {
        Map<String, String> byBenchmark = new LinkedHashMap<>();
        for (String value : promptTemplates == null ? List.<String>of() : promptTemplates) {
            Matcher m = BENCHMARK_PREFIX.matcher(value);
            boolean named = m.lookingAt();
            String benchmark = named ? m.group(1) : "";
            String template = value.substring(named ? m.end() : 0);
            String which = benchmark.isEmpty() ? "every benchmark" : "benchmark " + benchmark;
            if (!template.contains(PromptTemplates.QUESTION)) {
                throw new ParameterException(spec.commandLine(), "--prompt-template for " + which + " must contain "
                        + PromptTemplates.QUESTION + ", got '" + template + "'");
            }
            if (byBenchmark.put(benchmark, template) != null) {
                throw new ParameterException(spec.commandLine(), "--prompt-template given twice for " + which);
            }
        }
        return byBenchmark;
    }

    /** A leading {@code name=} naming a benchmark: letters, digits, '-' and '_' only. */
    private static final Pattern BENCHMARK_PREFIX = Pattern.compile("([A-Za-z0-9_-]+)=");

    /** The sweep's keep ratios, or null without --sweep; checks that there is something to evaluate. */
    private List<Double> sweepRatios() {
        if (sweep == null) {
            if (policies == null || policies.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "give --policies, --sweep, or both");
            }
            return null;
        }
        try {
            return KeepRatioSweep.ratios(sweep);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private ScoringMode scoringMode() {
        try {
            return ScoringMode.parse(scoring);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private boolean cacheOn() {
        if (!imageCache.equals("on") && !imageCache.equals("off")) {
            throw new ParameterException(spec.commandLine(), "--image-cache must be on or off, got '" + imageCache + "'");
        }
        if (batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be >= 1, got " + batch);
        }
        return imageCache.equals("on");
    }

    /** One predictions line, flushed: an interrupted run keeps every answer written so far. */
    private static void append(BufferedWriter w, SampleResult r) {
        try {
            w.write(r.toJson().toString());
            w.write('\n');
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> names() {
        return policies.stream().map(String::trim).toList();
    }

    /** The fingerprint recorded in run.json, or null if there is none (or it does not parse). */
    private static String savedFingerprint(Path runFile) throws IOException {
        if (!Files.exists(runFile)) {
            return null;
        }
        try {
            JsonObject run = JsonParser.parseString(Files.readString(runFile, StandardCharsets.UTF_8)).getAsJsonObject();
            return run.has("fingerprint") ? run.get("fingerprint").getAsString() : null;
        } catch (RuntimeException e) {
            return null; // unreadable: treat as another run's
        }
    }

    /**
     * The answers already in {@code file}. A last line cut short by an interruption is dropped from the
     * file (its sample is answered again), so that new lines never append to a fragment.
     */
    private static List<SampleResult> readExisting(Path file) throws IOException {
        List<SampleResult> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        StringBuilder kept = new StringBuilder();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(SampleResult.fromJson(JsonParser.parseString(line).getAsJsonObject()));
                kept.append(line).append('\n');
            } catch (RuntimeException e) {
                if (n < lines.size()) {
                    throw new DatasetException(file, n, "not a predictions line: " + e.getMessage());
                }
                Files.writeString(file, kept, StandardCharsets.UTF_8); // drop the fragment
            }
        }
        return out;
    }
}
