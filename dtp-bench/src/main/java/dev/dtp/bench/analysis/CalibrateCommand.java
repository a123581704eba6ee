package dev.dtp.bench.analysis;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.CommonOptions;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.calibration.KeepRatioSolver;
import dev.dtp.core.calibration.LayerChooser;
import dev.dtp.core.flops.MambaShape;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        description = "Choose DTP's early and late layers (and keep ratio) for a model; writes calibration.json, "
                + "plots and a report.")
public final class CalibrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    SurveyOptions inputs;

    @Option(names = "--out", defaultValue = "calibration", paramLabel = "DIR",
            description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--keep-ratio", defaultValue = "0.5",
            description = "r between the layers (default ${DEFAULT-VALUE}); ignored with --target-flops.")
    double keepRatio;

    @Option(names = "--target-flops", description = "Solve r so that DTP's FLOPs ratio is this (e.g. 0.5).")
    Double targetFlops;

    @Option(names = "--kl-threshold", defaultValue = "0.05", description = "VTW criterion: mean KL (nats) below which "
            + "withdrawing is safe (default ${DEFAULT-VALUE}).")
    double klThreshold;

    @Option(names = "--sweep", description = "Also run DTP at every early layer before the late one and take the "
            + "earliest whose mean KL(full || DTP) is at most --sweep-kl (the Eq. 7 layer stays the fallback).")
    boolean sweep;

    @Option(names = "--sweep-kl", defaultValue = "0.1", paramLabel = "NATS",
            description = "--sweep's budget: mean KL (nats) of the next-token distribution (default ${DEFAULT-VALUE}).")
    double sweepKl;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        refuseSweepWithTargetFlops();
        List<EvalSample> samples = inputs.samples();
        if (sweep && samples.size() < 32) {
            o.printf("note: --sweep on %d samples: its mean KL per layer is noisy below 32 (docs/ANALYSIS.md)%n",
                    samples.size());
        }
        Files.createDirectories(out);
        try (VisionLanguageModel vlm = VisionLanguageModel.load(inputs.model, common.builder())) {
            LayerSurvey survey = LayerSurvey.run(vlm, samples, Set.of(), inputs.attentionSamples(samples.size()), o);
            Calibration calibration = calibrate(vlm, samples, survey, o);
            write(calibration, survey.stats.get("delta").spread());
            printSummary(calibration, o);
        }
        o.flush();
        return 0;
    }

    private void refuseSweepWithTargetFlops() {
        if (sweep && targetFlops != null) {
            throw new ParameterException(spec.commandLine(),
                    "--sweep measures each early layer at one r: give --keep-ratio, not --target-flops");
        }
    }

    /**
     * The survey's Eq. 7 curve gives the early layer; the late layer follows from its rise, the
     * text-to-visual share and VTW's criterion; the sweep may move the early layer; r comes last, as
     * it is solved for the final layers under {@code --target-flops}.
     */
    private Calibration calibrate(VisionLanguageModel vlm, List<EvalSample> samples, LayerSurvey survey,
            PrintWriter o) {
        int n = vlm.model().layerCount();
        double[] curve = survey.stats.get("delta").mean();
        LayerChooser.Options rules = LayerChooser.Options.defaults(n);
        PruningDefaults paper = PruningDefaults.paperDefaults(n);
        Calibration.EarlyRule eq7 = Calibration.EarlyRule.apply(curve, rules, paper);
        Calibration.Vtw vtw = Calibration.Vtw.of(NextTokenKl.perLayer(vlm, samples, "vtw", WithdrawVisual::new, o),
                klThreshold);
        Calibration.LateRule lateRule = Calibration.LateRule.apply(curve, survey.textToVisual, eq7.layer(),
                vtw.layer(), rules, paper);
        int late = lateRule.layer();
        MambaShape shape = vlm.model().config().shape();
        TokenLayout layout = firstLayout(vlm, samples);
        Calibration.Sweep sweepResult = sweep ? sweep(vlm, samples, eq7.layer(), late, shape, layout, o) : null;
        int early = sweepResult == null ? eq7.layer() : sweepResult.layer().orElse(eq7.layer());
        double r = rounded(targetFlops != null ? KeepRatioSolver.solve(shape, layout, early, late, targetFlops)
                : keepRatio);
        return new Calibration(early, late, r, KeepRatioSolver.ratio(shape, layout, early, late, r), survey.samples,
                curve, eq7, lateRule, vtw, sweepResult);
    }

    /** The token layout of the first sample, on which FLOPs ratios are counted. */
    private static TokenLayout firstLayout(VisionLanguageModel vlm, List<EvalSample> samples) {
        try (NDManager m = NDManager.newBaseManager()) {
            return EvalInputs.input(vlm, samples.get(0), m).layout();
        }
    }

    /** DTP at every early layer before the late one, at the r the chosen policy will carry. */
    private Calibration.Sweep sweep(VisionLanguageModel vlm, List<EvalSample> samples, int eq7Early, int late,
            MambaShape shape, TokenLayout layout, PrintWriter o) {
        double r = rounded(keepRatio); // --sweep refuses --target-flops, so this is the final r
        double[] kl = NextTokenKl.perLayer(vlm, samples, "sweep", e -> e < late ? new Dtp(e, r, late) : null, o);
        double[] flops = new double[kl.length];
        for (int e = 0; e < flops.length; e++) {
            flops[e] = e < late ? KeepRatioSolver.ratio(shape, layout, e, late, r) : Double.NaN;
        }
        return new Calibration.Sweep(sweepKl, kl, flops, LayerChooser.sweptEarly(kl, sweepKl), eq7Early);
    }

    private void write(Calibration calibration, double[] stdSpread) throws IOException {
        Files.writeString(out.resolve("calibration.json"), calibration.toJson(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("calibration.md"), calibration.toMarkdown(), StandardCharsets.UTF_8);
        CalibrationFigures.save(calibration, stdSpread, out);
    }

    private void printSummary(Calibration c, PrintWriter o) {
        OptionalInt vtw = c.vtw().layer();
        o.printf(Locale.ROOT, "early %d (%s), late %d (%s), r %.3f → FLOPs ratio %.1f%%; VTW layer %s%n", c.early(),
                earlyReason(c), c.late(), lateReason(c.lateRule().chosen().source()), c.r(), 100 * c.flopsRatio(),
                vtw.isEmpty() ? "none below threshold" : Integer.toString(vtw.getAsInt()));
        o.printf("policy %s → %s%n", c.policy(), out.resolve("calibration.json"));
    }

    private static String earlyReason(Calibration c) {
        if (c.swept()) {
            return String.format(Locale.ROOT, "sweep: KL %.3g <= %s", c.sweep().kl()[c.early()], c.sweep().threshold());
        }
        return (c.sweep() != null ? "sweep found none within " + c.sweep().threshold() + "; " : "")
                + (c.earlyRule().peak().isPresent() ? "clear peak" : "no clear peak: paper's layer scaled");
    }

    private static String lateReason(LayerChooser.LateSource source) {
        return switch (source) {
            case RISE -> "rise + attention";
            case RISE_MOVED_TO_VTW -> "moved to VTW's layer";
            case VTW -> "no rise: VTW criterion";
            case PAPER -> "no rise: paper's layer scaled";
        };
    }

    /** r as calibration.json records it: three decimals. */
    private static double rounded(double r) {
        return Math.round(r * 1000) / 1000.0;
    }
}
