package dev.dtp.bench.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import dev.dtp.bench.perf.Roofline;
import dev.dtp.core.DtpPruner;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.DecodeKernel;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.model.MambaSession;
import dev.dtp.mamba.model.PrefillProfile;
import dev.dtp.mamba.scan.ScanKernels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
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
 * ({@code --lengths}).
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

    // ---- policy mode -------------------------------------------------------------------------

    private List<Map<String, Object>> policies(MambaModel model) {
        if (visual < 0 || text < 1) {
            throw new ParameterException(spec.commandLine(), "--visual must be >= 0 and --text >= 1");
        }
        List<String> specs = new ArrayList<>();
        specs.add("none");
        for (String p : policies) {
            if (!p.equals("none")) {
                specs.add(p);
            }
        }
        MambaShape shape = model.config().shape();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelInput input = BenchInputs.cobraLayout(model, manager, visual, text, common.seed());
            List<PruningPolicy> list = new ArrayList<>();
            for (String s : specs) {
                list.add(PolicySpec.parse(s, model.pruningDefaults(), model.layerCount()));
            }
            // round-robin over the policies, so that drift (allocator, heap, frequency) hits all alike
            double[][] ms = new double[list.size()][runs];
            Flops.Result[] flops = new Flops.Result[list.size()];
            int[][] tokens = new int[list.size()][];
            Progress progress = new Progress(spec.commandLine().getErr(), "bench", (long) (warmup + runs) * list.size());
            long done = 0;
            for (int r = -warmup; r < runs; r++) {
                for (int i = 0; i < list.size(); i++) {
                    progress.update(done++, specs.get(i));
                    long t0 = System.nanoTime();
                    try (Prefill p = model.prefill(input, list.get(i), PrefillOptions.DEFAULT)) {
                        long t1 = System.nanoTime();
                        if (r >= 0) {
                            ms[i][r] = (t1 - t0) / 1e6;
                        }
                        flops[i] = Flops.of(shape, p.trace());
                        tokens[i] = p.trace().keptCounts();
                    }
                }
            }
            progress.update(done, "");
            double baselineMs = Stats.of(ms[0]).median();
            for (int i = 0; i < list.size(); i++) {
                Stats st = Stats.of(ms[i]);
                double decodeRate = decodeTokensPerSecond(model, input, list.get(i));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("policy", specs.get(i));
                row.put("prefill_ms_median", round(st.median()));
                row.put("prefill_ms_min", round(st.min()));
                row.put("prefill_ms_max", round(st.max()));
                row.put("flops_ratio", round4(flops[i].ratio()));
                row.put("macs", flops[i].macs());
                row.put("measured_speedup", round4(baselineMs / st.median()));
                row.put("flops_speedup", round4(1 / flops[i].ratio()));
                row.put("speedup_efficiency", round4((baselineMs / st.median()) * flops[i].ratio()));
                row.put("decode_tokens_per_s", round(decodeRate));
                row.put("peak_rss_mb", NativeMemory.peakResidentBytes() / (1 << 20));
                if (i == 0) {
                    row.put("weights", model.weightFormat().name().toLowerCase(Locale.ROOT));
                    row.put("weight_mb", model.weightBytes() >> 20);
                    row.put("load_s", round(loadSeconds));
                }
                row.put("tokens_per_layer", tokens[i]);
                rows.add(row);
            }
            if (wrapperPairs > 0) {
                rows.add(wrapperOverhead(model, input));
            }
        }
        return rows;
    }

    /** No pruning through {@code DtpPruner.wrap(model, none)} against the plain model, interleaved. */
    private Map<String, Object> wrapperOverhead(MambaModel model, ModelInput input) {
        var wrapped = DtpPruner.wrap(model, PruningPolicy.none());
        int pairs = Math.max(runs, wrapperPairs);
        double[] plain = new double[pairs];
        double[] viaWrapper = new double[pairs];
        for (int i = -warmup; i < pairs; i++) {
            long t0 = System.nanoTime();
            try (Prefill p = model.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                long t1 = System.nanoTime();
                try (Prefill q = wrapped.prefill(input)) {
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        plain[i] = (t1 - t0) / 1e6;
                        viaWrapper[i] = (t2 - t1) / 1e6;
                    }
                }
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("policy", "none (DtpPruner.wrap) vs unwrapped");
        row.put("prefill_ms_median", round(Stats.of(viaWrapper).median()));
        row.put("unwrapped_ms_median", round(Stats.of(plain).median()));
        row.put("wrapped_over_unwrapped", round4(Stats.of(viaWrapper).median() / Stats.of(plain).median()));
        row.put("wrapped_over_unwrapped_min", round4(Stats.of(viaWrapper).min() / Stats.of(plain).min()));
        row.put("flops_ratio", 1.0);
        return row;
    }

    private double decodeTokensPerSecond(MambaModel model, ModelInput input, PruningPolicy policy) {
        return decode == 0 ? Double.NaN : decodeRates(model, input, policy, false)[0];
    }

    /** Decode warm-up per kernel: at least this many tokens and this long, so that the JIT has compiled the kernels. */
    private static final int WARMUP_TOKENS = 3;
    private static final long WARMUP_NANOS = 2_000_000_000L;

    /**
     * Decode tokens/s of the model's default kernel, or (with {@code compare}) of the fused step
     * where it runs and of the NDArray step, timed in turns token by token on two sessions after the
     * same prefill (after a warm-up of both), so that drift hits both.
     */
    private double[] decodeRates(MambaModel model, ModelInput input, PruningPolicy policy, boolean compare) {
        DecodeKernel main = compare && model.decodeBytesPerToken() > 0 ? DecodeKernel.FUSED : model.decodeKernel();
        int vocab = model.config().vocabSize();
        try (MambaSession a = model.prefill(input, policy, PrefillOptions.DEFAULT, null);
                MambaSession b = compare ? model.prefill(input, policy, PrefillOptions.DEFAULT, null) : null) {
            long start = System.nanoTime();
            for (int i = 0; i < WARMUP_TOKENS || System.nanoTime() - start < WARMUP_NANOS; i++) {
                a.decode(i % vocab, main);
                if (compare) {
                    b.decode(i % vocab, DecodeKernel.NDARRAY);
                }
            }
            long mainNanos = 0;
            long ndarrayNanos = 0;
            for (int i = 0; i < decode; i++) {
                int token = (i * 7919) % vocab;
                long t0 = System.nanoTime();
                a.decode(token, main);
                long t1 = System.nanoTime();
                if (compare) {
                    b.decode(token, DecodeKernel.NDARRAY);
                }
                long t2 = System.nanoTime();
                mainNanos += t1 - t0;
                ndarrayNanos += t2 - t1;
            }
            return new double[] {decode / (mainNanos / 1e9), compare ? decode / (ndarrayNanos / 1e9) : Double.NaN};
        }
    }

    // ---- image-cache and batched-decode modes -------------------------------------------------

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

    // ---- throughput mode ---------------------------------------------------------------------

    private List<Map<String, Object>> throughput(MambaModel model) {
        MambaConfig c = model.config();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int length : lengths) {
                if (length < 1) {
                    throw new ParameterException(spec.commandLine(), "--lengths must be >= 1");
                }
                int[] ids = new SplittableRandom(common.seed() + length).ints(length, 0, c.vocabSize()).toArray();
                ModelInput input = ModelInput.ofIds(ids);
                double[] ms = new double[runs];
                long[] parts = new long[PrefillProfile.Part.values().length];
                for (int i = -warmup; i < runs; i++) {
                    PrefillProfile profile = new PrefillProfile();
                    long t0 = System.nanoTime();
                    try (Prefill p = model.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT, null, profile)) {
                        long t1 = System.nanoTime();
                        if (i >= 0) {
                            ms[i] = (t1 - t0) / 1e6;
                            for (PrefillProfile.Part part : PrefillProfile.Part.values()) {
                                parts[part.ordinal()] += profile.nanos(part);
                            }
                        }
                    }
                }
                // unprofiled timing (the profile's clock reads are cheap, but measure without them)
                double[] plain = new double[runs];
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    try (Prefill p = model.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                        plain[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Stats st = Stats.of(plain);
                double partTotal = 0;
                for (long n : parts) {
                    partTotal += n;
                }
                double projections = 0;
                for (PrefillProfile.Part part : PrefillProfile.Part.values()) {
                    if (part.isProjection()) {
                        projections += parts[part.ordinal()];
                    }
                }
                double scan = parts[PrefillProfile.Part.SCAN.ordinal()];
                double conv = parts[PrefillProfile.Part.CONV.ordinal()];
                double other = partTotal - projections - scan - conv;
                // roofline: the projections' FLOPs at the GEMM rate libtorch reaches on the same shapes
                double flopsPerToken = Roofline.projectionFlopsPerTokenPerLayer(c) * c.layers();
                double gemmSeconds = Roofline.projectionSeconds(manager, c, length, Math.max(3, runs));
                double gemmRate = Roofline.projectionFlopsPerTokenPerLayer(c) * length / gemmSeconds;
                double prefillRate = flopsPerToken * length / (st.median() / 1e3);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("length", length);
                row.put("weights", model.weightFormat().name().toLowerCase(Locale.ROOT));
                row.put("prefill_ms_median", round(st.median()));
                row.put("prefill_ms_min", round(st.min()));
                row.put("prefill_ms_max", round(st.max()));
                row.put("prefill_tokens_per_s", round(length / (st.median() / 1e3)));
                row.put("share_projections", round4(projections / partTotal));
                row.put("share_conv", round4(conv / partTotal));
                row.put("share_scan", round4(scan / partTotal));
                row.put("share_other", round4(other / partTotal));
                row.put("projection_gflops_per_s_in_prefill", round(prefillRate / 1e9));
                row.put("gemm_gflops_per_s_same_shapes", round(gemmRate / 1e9));
                row.put("matmul_limit_ratio", round4(prefillRate / gemmRate));
                if (decode > 0) {
                    // rates[0]: the fused step where it runs (else the default kernel); rates[1]: the NDArray step
                    double[] rates = decodeRates(model, input, PruningPolicy.none(), true);
                    double rate = model.decodeKernel() == DecodeKernel.NDARRAY ? rates[1] : rates[0];
                    double weightBytes = model.decodeBytesPerToken() > 0 ? model.decodeBytesPerToken() : weightBytesPerToken(c);
                    double read = Roofline.readBytesPerSecond(manager, weightBytes, 7);
                    row.put("decode_kernel", model.decodeKernel().name().toLowerCase(Locale.ROOT));
                    row.put("decode_tokens_per_s", round(rate));
                    row.put("decode_fused_tokens_per_s", model.decodeBytesPerToken() > 0 ? round(rates[0]) : null);
                    row.put("decode_ndarray_tokens_per_s", round(rates[1]));
                    row.put("decode_speedup", round4(rates[0] / rates[1]));
                    row.put("decode_weight_mb_per_token", round(weightBytes / (1 << 20)));
                    row.put("decode_gb_per_s", round(rate * weightBytes / 1e9));
                    row.put("read_gb_per_s", round(read / 1e9));
                    row.put("decode_limit_tokens_per_s", round(read / weightBytes));
                    row.put("decode_limit_ratio", round4(rate * weightBytes / read));
                }
                row.put("peak_rss_mb", NativeMemory.peakResidentBytes() / (1 << 20));
                rows.add(row);
            }
        }
        return rows;
    }

    /** Bytes of weights one decode step reads: every layer, the final norm and the lm_head. */
    static double weightBytesPerToken(MambaConfig c) {
        long d = c.dModel();
        long di = c.dInner();
        long perLayer = d + 2 * d * di + di * c.dConv() + di + di * (c.dtRank() + 2L * c.dState())
                + (long) c.dtRank() * di + di + di * c.dState() + di + di * d;
        return 4.0 * (c.layers() * perLayer + d + (long) c.paddedVocabSize() * d);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
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
