package dev.dtp.bench.cli;

import com.google.gson.GsonBuilder;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.scan.ScanKernels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dtp bench}: prefill wall time per pruning policy next to its FLOPs ratio (policy mode), or
 * prefill and decode throughput by sequence length with a per-part breakdown and roofline ratios
 * ({@code --lengths}), the image-state cache ({@code --questions-per-image}), batched decode
 * ({@code --batch-sizes}) or a vision tower ({@code --tower}). This class parses the options, loads
 * the model and prints the rows; each mode is its own bench ({@link PolicyBench},
 * {@link ThroughputBench}, {@link ImageCacheBench}, {@link BatchDecodeBench}, {@link TowerBench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure prefill wall time per pruning policy next to its FLOPs ratio,",
                "or (with --lengths) prefill/decode throughput with a per-part breakdown and roofline ratios."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class ModelChoice {
        @Option(names = "--model", paramLabel = "DIR", description = "Model directory.")
        Path model;

        @Option(names = "--shape", paramLabel = "SPEC", description = "Random weights: layers=64,d_model=256[,d_state=16,expand=2] "
                + "or mamba-130m, mamba-370m.")
        String shape;

        @Option(names = "--tower", paramLabel = "cobra|robomamba", description = "One image through the model's vision tower "
                + "at full size with random weights (Cobra: DINOv2 + SigLIP at 384 px; RoboMamba: CLIP at 224 px).")
        String tower;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice choice;

    @Option(names = "--visual", defaultValue = "729", description = "Visual tokens (placed first, as Cobra; default ${DEFAULT-VALUE}).")
    int visual;

    @Option(names = "--text", defaultValue = "31", description = "Text tokens after them (default ${DEFAULT-VALUE}).")
    int text;

    /**
     * Splits a list of policy specs at the commas that start a new spec (a policy name followed by
     * ':', '+', ',' or the end), not at those between a spec's parameters: "none,dtp:early=2,late=6".
     */
    public static final String POLICY_LIST = ",(?=[a-z][a-z-]*(:|,|\\+|$))";

    @Option(names = "--policies", split = POLICY_LIST, defaultValue = "none",
            paramLabel = "SPEC,SPEC,...", description = "Policies to compare (default ${DEFAULT-VALUE}); 'none' is always measured first.")
    List<String> policies;

    @Option(names = "--lengths", split = ",", paramLabel = "L,L,...",
            description = "Throughput mode: text-only prefills of these lengths, with a per-part breakdown.")
    int[] lengths;

    @Option(names = "--questions-per-image", paramLabel = "N",
            description = "Image-cache mode: per policy, a question with the image prefilled anew against a follow-up "
                    + "continuing the image's saved state.")
    Integer questionsPerImage;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "B,B,...",
            description = "Batched-decode mode: decode tokens/s at these batch sizes (--decode tokens each).")
    int[] batchSizes;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per measurement after warm-up (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up runs (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--wrapper-pairs", defaultValue = "11", paramLabel = "N",
            description = "Policy mode: interleaved prefills through DtpPruner.wrap(model, none) and the plain model "
                    + "(default ${DEFAULT-VALUE}, at least --runs; 0 leaves the row out, e.g. at Cobra's size).")
    int wrapperPairs;

    @Option(names = "--decode", defaultValue = "16", description = "Tokens decoded to measure decode speed (default ${DEFAULT-VALUE}).")
    int decode;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print a JSON array (one object per policy or length) instead of Markdown.")
    boolean json;

    @Override
    public Integer call() {
        if (runs < 1 || warmup < 0 || decode < 0 || wrapperPairs < 0) {
            throw new ParameterException(spec.commandLine(), "--runs must be >= 1, --warmup, --decode and --wrapper-pairs >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (choice.tower != null) {
            return tower(out);
        }
        long loadStart = System.nanoTime();
        try (MambaModel model = load()) {
            loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            List<Map<String, Object>> rows = lengths != null ? throughput(model)
                    : questionsPerImage != null ? imageCache(model)
                    : batchSizes != null ? batchDecode(model)
                    : policies(model);
            if (json) {
                out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(rows));
            } else {
                out.println(header(model));
                out.println(markdown(rows));
            }
        }
        out.flush();
        return 0;
    }

    /** Tower mode: one image's time through a full-size vision tower. */
    private int tower(PrintWriter out) {
        common.apply();
        try {
            TowerBench.tower(choice.tower);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Progress progress = new Progress(spec.commandLine().getErr(), "bench", warmup + runs);
        Map<String, Object> row = TowerBench.measure(choice.tower, warmup, runs, common.seed(), common.device(), progress);
        progress.update(warmup + runs, "");
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(List.of(row)));
        } else {
            out.printf(Locale.ROOT, "Vision tower: %s, random weights (F16 files, float32 compute); %d CPU threads%n%n",
                    choice.tower, Runtime.getRuntime().availableProcessors());
            out.println(markdown(List.of(row)));
        }
        out.flush();
        return 0;
    }

    /** Wall time of loading (or drawing) the model, seconds. */
    private double loadSeconds;

    private MambaModel load() {
        common.apply();
        if (choice.model != null) {
            return common.builder().load(choice.model);
        }
        return BenchInputs.randomModel(ShapeSpec.parse(choice.shape), common.seed(), common.device(), common.weights());
    }

    private String header(MambaModel m) {
        MambaConfig c = m.config();
        return String.format(Locale.ROOT, "Model: %s — %d layers, d_model %d, d_state %d, expand %d; %s weights (%d MB, "
                + "loaded in %.1f s); scan kernel '%s'; decode kernel '%s'; %d CPU threads%n",
                choice.model != null ? choice.model : "random weights " + choice.shape, c.layers(), c.dModel(), c.dState(),
                c.expand(), m.weightFormat().name().toLowerCase(Locale.ROOT), m.weightBytes() >> 20, loadSeconds,
                m.scanKernel().name(), m.decodeKernel().name().toLowerCase(Locale.ROOT),
                Runtime.getRuntime().availableProcessors());
    }

    // ---- the modes: each checks its options and hands them to its own bench ----------------

    private List<Map<String, Object>> policies(MambaModel model) {
        if (visual < 0 || text < 1) {
            throw new ParameterException(spec.commandLine(), "--visual must be >= 0 and --text >= 1");
        }
        return new PolicyBench(model, visual, text, runs, warmup, decode, wrapperPairs, common.seed(), loadSeconds,
                spec.commandLine().getErr()).measure(policies);
    }

    private List<Map<String, Object>> throughput(MambaModel model) {
        for (int length : lengths) {
            if (length < 1) {
                throw new ParameterException(spec.commandLine(), "--lengths must be >= 1");
            }
        }
        return new ThroughputBench(model, runs, warmup, decode, common.seed()).measure(lengths);
    }

    private List<Map<String, Object>> imageCache(MambaModel model) {
        if (questionsPerImage < 1 || visual < 1 || text < 1) {
            throw new ParameterException(spec.commandLine(), "--questions-per-image, --visual and --text must be >= 1");
        }
        ImageCacheBench bench = new ImageCacheBench(model, visual, text, questionsPerImage, runs, warmup, common.seed());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String p : policies.contains("none") ? policies : prepend("none", policies)) {
            PruningPolicy policy = PolicySpec.parse(p, model.pruningDefaults(), model.layerCount());
            if (!policy.prefixSafe()) {
                throw new ParameterException(spec.commandLine(), "policy '" + p + "' is not prefix-safe: its image state "
                        + "cannot be reused");
            }
            rows.add(bench.measure(p, policy));
        }
        return rows;
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private List<Map<String, Object>> batchDecode(MambaModel model) {
        for (int b : batchSizes) {
            if (b < 1) {
                throw new ParameterException(spec.commandLine(), "--batch-sizes must be >= 1");
            }
        }
        if (decode < 1) {
            throw new ParameterException(spec.commandLine(), "--decode must be >= 1 with --batch-sizes");
        }
        return new BatchDecodeBench(model, text, decode, runs, warmup, common.seed()).measure(batchSizes);
    }

    static String markdown(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        List<String> keys = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            for (String k : r.keySet()) {
                if (!keys.contains(k) && !k.equals("tokens_per_layer")) {
                    keys.add(k);
                }
            }
        }
        StringBuilder sb = new StringBuilder("| " + String.join(" | ", keys) + " |\n|");
        keys.forEach(k -> sb.append("---|"));
        sb.append('\n');
        for (Map<String, Object> r : rows) {
            sb.append("| ");
            for (String k : keys) {
                Object v = r.get(k);
                sb.append(v == null ? "" : v).append(" | ");
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        return sb.toString();
    }

    static {
        ScanKernels.all(); // fail early if the scan kernels cannot load
    }
}
