package dev.dtp.bench.analysis;

import dev.dtp.bench.data.EvalInputs;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.dtp.bench.cli.BenchCommand;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.eval.EvalCommand;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.calibration.KeepRatioSolver;
import dev.dtp.core.calibration.LayerChooser;
import dev.dtp.core.policy.Dtp;
import dev.dtp.core.policy.WithdrawVisual;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dtp calibrate}: chooses DTP's layers for any Mamba model from a calibration set (see
 * {@link LayerChooser} for the rules) and writes {@code calibration.json}, which
 * {@code DtpPruner.wrap} and every {@code dtp} command use when it sits in the model directory (or
 * is passed with {@code --calibration}). VTW's criterion — the earliest layer where withdrawing all
 * visual tokens keeps the KL divergence of the next-token distribution below a threshold — is
 * computed alongside as evidence and as an alternative policy. With {@code --sweep}, DTP is also run at
 * every early layer before the late one, and the earliest whose KL stays within {@code --sweep-kl}
 * replaces the Eq. 7 layer ({@link LayerChooser#sweptEarly}).
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Choose DTP's early and late layers (and keep ratio) for a model; writes calibration.json, plots and a report.")
public final class CalibrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    dev.dtp.bench.cli.CommonOptions common;

    @picocli.CommandLine.Mixin
    SurveyOptions inputs;

    @Option(names = "--out", defaultValue = "calibration", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--keep-ratio", defaultValue = "0.5", description = "r between the layers (default ${DEFAULT-VALUE}); ignored with --target-flops.")
    double keepRatio;

    @Option(names = "--target-flops", description = "Solve r so that DTP's FLOPs ratio is this (e.g. 0.5).")
    Double targetFlops;

    @Option(names = "--kl-threshold", defaultValue = "0.05", description = "VTW criterion: mean KL (nats) below which withdrawing is safe (default ${DEFAULT-VALUE}).")
    double klThreshold;

    @Option(names = "--sweep", description = "Also run DTP at every early layer before the late one and take the earliest "
            + "whose mean KL(full || DTP) is at most --sweep-kl (the Eq. 7 layer stays the fallback).")
    boolean sweep;

    @Option(names = "--sweep-kl", defaultValue = "0.1", paramLabel = "NATS",
            description = "--sweep's budget: mean KL (nats) of the next-token distribution (default ${DEFAULT-VALUE}).")
    double sweepKl;

    /** What {@code --sweep} measured: KL and FLOPs ratio per early layer (NaN where not tried) and its choice. */
    private record Sweep(double threshold, double[] kl, double[] flops, OptionalInt layer, int eq7Early) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        if (sweep && targetFlops != null) {
            throw new ParameterException(spec.commandLine(),
                    "--sweep measures each early layer at one r: give --keep-ratio, not --target-flops");
        }
        List<EvalSample> samples = inputs.samples();
        if (sweep && samples.size() < 32) {
            o.printf("note: --sweep on %d samples: its mean KL per layer is noisy below 32 (docs/ANALYSIS.md)%n", samples.size());
        }
        Files.createDirectories(out);
        try (VisionLanguageModel vlm = VisionLanguageModel.load(inputs.model, common.builder())) {
            int n = vlm.model().layerCount();
            LayerSurvey survey = LayerSurvey.run(vlm, samples, Set.of(), inputs.attentionSamples(samples.size()), o);
            double[] curve = survey.stats.get("delta").mean();
            LayerChooser.Options opts = LayerChooser.Options.defaults(n);
            PruningDefaults paper = PruningDefaults.paperDefaults(n);
            OptionalInt early = LayerChooser.earlyLayer(curve, opts);
            int e = early.orElse(paper.early());
            OptionalInt rise = LayerChooser.riseStart(curve, e, opts);
            OptionalInt late = LayerChooser.lateLayer(curve, survey.textToVisual, e, opts);
            double[] kl = vtwKl(vlm, samples, o);
            OptionalInt vtwLayer = LayerChooser.vtwLayer(kl, klThreshold);
            int vtw = vtwLayer.orElse(-1);
            LayerChooser.Late chosen = LayerChooser.late(late, vtwLayer, e, paper.late());
            int l = chosen.layer();
            double sweepR = rounded(keepRatio); // the r the chosen policy will carry
            double[] klByEarly = sweep ? meanKl(vlm, samples, "sweep", x -> x < l ? new Dtp(x, sweepR, l) : null, o) : null;
            int eq7Early = e;
            OptionalInt swept = sweep ? LayerChooser.sweptEarly(klByEarly, sweepKl) : OptionalInt.empty();
            e = swept.orElse(e);
            ModelInput probe;
            double r;
            try (NDManager m = NDManager.newBaseManager()) {
                probe = EvalInputs.input(vlm, samples.get(0), m);
                var shape = vlm.model().config().shape();
                r = rounded(targetFlops != null ? KeepRatioSolver.solve(shape, probe.layout(), e, l, targetFlops) : keepRatio);
                double ratio = KeepRatioSolver.ratio(shape, probe.layout(), e, l, r);
                Sweep sw = null;
                if (sweep) {
                    double[] flops = new double[n];
                    for (int x = 0; x < n; x++) {
                        flops[x] = x < l ? KeepRatioSolver.ratio(shape, probe.layout(), x, l, r) : Double.NaN;
                    }
                    sw = new Sweep(sweepKl, klByEarly, flops, swept, eq7Early);
                    Charts.save(Charts.curve("DTP at each early layer (late " + l + ", r " + r + "; budget " + sweepKl
                            + "): KL(full ‖ DTP)", "mean KL (nats)", "KL", java.util.Arrays.copyOf(klByEarly, l)),
                            out.resolve("sweep-kl.png"));
                }
                JsonObject json = calibrationJson(e, chosen, r, ratio, curve, survey, early, rise, kl, vtw, opts, paper, sw);
                Files.writeString(out.resolve("calibration.json"), new GsonBuilder().setPrettyPrinting()
                        .serializeSpecialFloatingPointValues().create().toJson(json) + "\n", StandardCharsets.UTF_8);
                Charts.save(Charts.stdCurve("Eq. 7 with Δ importance (" + survey.samples + " samples)", curve,
                        survey.stats.get("delta").spread(), new int[] {e, l}, new String[] {"early = " + e, "late = " + l}),
                        out.resolve("std-curve.png"));
                Charts.save(Charts.curve("Share of text tokens' implicit attention on visual tokens", "share of attention",
                        "text → visual", survey.textToVisual), out.resolve("text-to-visual.png"));
                Charts.save(Charts.curve("VTW criterion: KL(full ‖ visual tokens withdrawn at layer)", "mean KL (nats)",
                        "KL", kl), out.resolve("vtw-kl.png"));
                Files.writeString(out.resolve("calibration.md"), report(json, survey.samples), StandardCharsets.UTF_8);
                o.printf(Locale.ROOT, "early %d (%s), late %d (%s), r %.3f → FLOPs ratio %.1f%%; VTW layer %s%n", e,
                        swept.isPresent() ? String.format(Locale.ROOT, "sweep: KL %.3g <= %s", klByEarly[e], sweepKl)
                                : (sweep ? "sweep found none within " + sweepKl + "; " : "")
                                        + (early.isPresent() ? "clear peak" : "no clear peak: paper's layer scaled"), l,
                        switch (chosen.source()) {
                            case RISE -> "rise + attention";
                            case RISE_MOVED_TO_VTW -> "moved to VTW's layer";
                            case VTW -> "no rise: VTW criterion";
                            case PAPER -> "no rise: paper's layer scaled";
                        }, r, 100 * ratio,
                        vtw < 0 ? "none below threshold" : Integer.toString(vtw));
                o.printf("policy %s → %s%n", json.get("policy").getAsString(), out.resolve("calibration.json"));
            }
        }
        o.flush();
        return 0;
    }

    /** r as calibration.json records it: three decimals. */
    private static double rounded(double r) {
        return Math.round(r * 1000) / 1000.0;
    }

    /** Mean KL(p_full ‖ p_withdrawn@l) of the next-token distribution over the samples, per layer l. */
    private double[] vtwKl(VisionLanguageModel vlm, List<EvalSample> samples, PrintWriter o) {
        return meanKl(vlm, samples, "vtw", WithdrawVisual::new, o);
    }

    /**
     * Mean KL(p_full ‖ p_policy) of the next-token distribution over the samples, for the policy at each
     * layer l; NaN where {@code policyAt} gives null (not tried).
     */
    private double[] meanKl(VisionLanguageModel vlm, List<EvalSample> samples, String label,
            IntFunction<PruningPolicy> policyAt, PrintWriter o) {
        int n = vlm.model().layerCount();
        double[] kl = new double[n];
        Progress progress = new Progress(o, label, (long) samples.size() * n);
        long done = 0;
        for (EvalSample s : samples) {
            try (NDManager m = NDManager.newBaseManager(vlm.model().device())) {
                ModelInput input = EvalInputs.input(vlm, s, m);
                double[] p = softmax(logits(vlm, input, PruningPolicy.none()));
                for (int l = 0; l < n; l++) {
                    PruningPolicy policy = policyAt.apply(l);
                    if (policy == null) {
                        kl[l] = Double.NaN;
                        progress.update(++done, "");
                        continue;
                    }
                    double[] q = softmax(logits(vlm, input, policy));
                    double d = 0;
                    for (int i = 0; i < p.length; i++) {
                        if (p[i] > 0) {
                            d += p[i] * (Math.log(p[i]) - Math.log(Math.max(q[i], 1e-300)));
                        }
                    }
                    kl[l] += d / samples.size();
                    progress.update(++done, "");
                }
            }
        }
        return kl;
    }

    private static float[] logits(VisionLanguageModel vlm, ModelInput input, PruningPolicy policy) {
        try (Prefill p = vlm.model().prefill(input, policy, PrefillOptions.DEFAULT)) {
            return p.logits();
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static JsonObject calibrationJson(int e, LayerChooser.Late late, double r, double ratio, double[] curve,
            LayerSurvey survey, OptionalInt early, OptionalInt rise, double[] kl, int vtw, LayerChooser.Options o,
            PruningDefaults paper, Sweep sweep) {
        int l = late.layer();
        boolean found = late.source() == LayerChooser.LateSource.RISE || late.source() == LayerChooser.LateSource.RISE_MOVED_TO_VTW;
        JsonObject j = new JsonObject();
        j.addProperty("early", e);
        j.addProperty("late", l);
        j.addProperty("r", r);
        j.addProperty("policy", String.format(Locale.ROOT, "dtp:early=%d,r=%s,late=%d", e, r, l));
        j.add("std", array(curve));
        JsonObject ev = new JsonObject();
        ev.addProperty("samples", survey.samples);
        ev.addProperty("flops_ratio", ratio);
        JsonObject er = new JsonObject();
        er.addProperty("rule", "first local peak of the Eq. 7 curve smoothed over " + o.window()
                + " layers with prominence >= " + o.prominence() + " x (max - min)");
        er.addProperty("found", early.isPresent());
        if (early.isPresent()) {
            er.addProperty("prominence", LayerChooser.prominence(LayerChooser.smooth(curve, o.window()), e));
        } else {
            er.addProperty("fallback", "paper's layer scaled to depth: " + paper.early());
        }
        ev.add("early", er);
        JsonObject lr = new JsonObject();
        lr.addProperty("rule", "start of a rise over " + o.riseLayers() + " consecutive layers by >= " + o.riseFraction()
                + " x (max - min), moved to the first layer where the text-to-visual attention share < "
                + o.attentionFraction() + " x its maximum");
        lr.addProperty("rise_start", rise.isPresent() ? rise.getAsInt() : -1);
        lr.addProperty("found", found);
        if (!found) {
            lr.addProperty("fallback", late.source() == LayerChooser.LateSource.VTW
                    ? "VTW criterion's layer (visual tokens redundant from here on): " + l
                    : "paper's layer scaled to depth: " + paper.late());
        }
        lr.add("text_to_visual", array(survey.textToVisual));
        lr.addProperty("moved_to_vtw_layer", late.source() == LayerChooser.LateSource.RISE_MOVED_TO_VTW);
        ev.add("late", lr);
        JsonObject v = new JsonObject();
        v.addProperty("rule", "earliest layer from which on every mean KL(full || withdrawn) is below the threshold");
        v.addProperty("layer", vtw);
        v.addProperty("policy", vtw < 0 ? "" : "vtw:k=" + vtw);
        v.add("kl", array(kl));
        ev.add("vtw", v);
        if (sweep != null) {
            JsonObject w = new JsonObject();
            w.addProperty("rule", "earliest early layer whose DTP run (late " + l + ", r " + r
                    + ") keeps the mean KL(full || DTP) <= the threshold; else the Eq. 7 layer");
            w.addProperty("threshold", sweep.threshold());
            w.addProperty("layer", sweep.layer().orElse(-1));
            w.addProperty("eq7_early", sweep.eq7Early());
            w.add("kl", array(sweep.kl()));
            w.add("flops_ratio", array(sweep.flops()));
            ev.add("sweep", w);
        }
        j.add("evidence", ev);
        return j;
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(Double.isNaN(x) ? null : x);
        }
        return a;
    }

    private static String report(JsonObject j, int samples) {
        JsonObject ev = j.getAsJsonObject("evidence");
        return String.format(Locale.ROOT, """
                # Calibration

                Samples: %d. Policy: `%s` (FLOPs ratio %.1f%% on the first sample's layout).

                - **Early layer %d** — %s.
                - **Late layer %d** — %s; the curve's steep rise starts at layer %d.
                - **VTW criterion** — %s.%s

                Figures: `std-curve.png` (Eq. 7 with the chosen layers), `text-to-visual.png`, `vtw-kl.png`.
                Values: `calibration.json` (`std` per layer, `evidence`).
                """, samples, j.get("policy").getAsString(), 100 * ev.get("flops_ratio").getAsDouble(),
                j.get("early").getAsInt(), (swept(ev) ? "chosen by the sweep below; the Eq. 7 rule: " : "")
                        + ev.getAsJsonObject("early").get("rule").getAsString()
                        + (ev.getAsJsonObject("early").get("found").getAsBoolean() ? "" : " (none found: fallback)"),
                j.get("late").getAsInt(), ev.getAsJsonObject("late").get("rule").getAsString()
                        + (ev.getAsJsonObject("late").get("found").getAsBoolean() ? "" : " (none found: fallback)")
                        + (ev.getAsJsonObject("late").get("moved_to_vtw_layer").getAsBoolean()
                                ? "; then moved to the VTW criterion's layer, before which withdrawing the visual tokens"
                                        + " measurably changes the answer" : ""),
                ev.getAsJsonObject("late").get("rise_start").getAsInt(),
                ev.getAsJsonObject("vtw").get("layer").getAsInt() < 0 ? "no layer below the KL threshold"
                        : "withdraw at layer " + ev.getAsJsonObject("vtw").get("layer").getAsInt() + " (`"
                        + ev.getAsJsonObject("vtw").get("policy").getAsString() + "`)",
                sweepLine(ev));
    }

    private static boolean swept(JsonObject ev) {
        return ev.has("sweep") && ev.getAsJsonObject("sweep").get("layer").getAsInt() >= 0;
    }

    private static String sweepLine(JsonObject ev) {
        if (!ev.has("sweep")) {
            return "";
        }
        JsonObject w = ev.getAsJsonObject("sweep");
        int layer = w.get("layer").getAsInt();
        int eq7 = w.get("eq7_early").getAsInt();
        String outcome = layer < 0
                ? "no layer within " + w.get("threshold").getAsDouble() + " nats, so the Eq. 7 layer " + eq7 + " stays"
                : String.format(Locale.ROOT, "layer %d (KL %.3g) %s the Eq. 7 layer %d", layer,
                        w.getAsJsonArray("kl").get(layer).getAsDouble(), layer == eq7 ? "agrees with" : "replaces", eq7);
        return String.format(Locale.ROOT, "%n- **Sweep** — %s; %s (`sweep-kl.png`).", w.get("rule").getAsString(), outcome);
    }
}
