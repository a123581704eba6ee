package dev.dtp.bench.cli;

import static dev.dtp.bench.cli.Stats.round;
import static dev.dtp.bench.cli.Stats.round4;

import ai.djl.ndarray.NDManager;
import dev.dtp.core.DtpPruner;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.model.MambaModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dtp bench} (policy mode): prefill wall time per pruning policy on Cobra's layout (visual
 * tokens, then text) next to its FLOPs ratio, the decode rate after it, and (with wrapper pairs)
 * the cost of going through {@code DtpPruner.wrap}. Policies are measured round-robin.
 */
final class PolicyBench {
    private final MambaModel model;
    private final int visual;
    private final int text;
    private final int runs;
    private final int warmup;
    private final int decode;
    private final int wrapperPairs;
    private final long seed;
    private final double loadSeconds;
    private final PrintWriter err;

    /**
     * @param decode tokens decoded to measure decode speed (0: not measured)
     * @param wrapperPairs interleaved wrapped and plain prefills (0: no wrapper row)
     * @param loadSeconds the model's load time, for the first row
     * @param err where progress goes
     */
    PolicyBench(MambaModel model, int visual, int text, int runs, int warmup, int decode, int wrapperPairs, long seed,
            double loadSeconds, PrintWriter err) {
        this.model = model;
        this.visual = visual;
        this.text = text;
        this.runs = runs;
        this.warmup = warmup;
        this.decode = decode;
        this.wrapperPairs = wrapperPairs;
        this.seed = seed;
        this.loadSeconds = loadSeconds;
        this.err = err;
    }

    /** One row per policy ('none' first, whether listed or not), then the wrapper row. */
    List<Map<String, Object>> measure(List<String> policies) {
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
            ModelInput input = BenchInputs.cobraLayout(model, manager, visual, text, seed);
            List<PruningPolicy> list = new ArrayList<>();
            for (String s : specs) {
                list.add(PolicySpec.parse(s, model.pruningDefaults(), model.layerCount()));
            }
            // round-robin over the policies, so that drift (allocator, heap, frequency) hits all alike
            double[][] ms = new double[list.size()][runs];
            Flops.Result[] flops = new Flops.Result[list.size()];
            int[][] tokens = new int[list.size()][];
            Progress progress = new Progress(err, "bench", (long) (warmup + runs) * list.size());
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
                double decodeRate = decode == 0 ? Double.NaN : DecodeTiming.rates(model, input, list.get(i), decode, false)[0];
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
                rows.add(wrapperOverhead(input));
            }
        }
        return rows;
    }

    /** No pruning through {@code DtpPruner.wrap(model, none)} against the plain model, interleaved. */
    private Map<String, Object> wrapperOverhead(ModelInput input) {
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
}
