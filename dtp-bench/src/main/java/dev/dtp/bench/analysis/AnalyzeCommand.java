package dev.dtp.bench.analysis;

import dev.dtp.bench.cli.CommonOptions;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.calibration.ImportanceStatistics;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.knowm.xchart.internal.chartpart.Chart;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtp analyze}: the paper's layer figures for any model — Eq. 7 curves (Figure 3) for Δ, y,
 * B and C with CSV, importance on the patch grid and the top-half scatter (Figure 4), and implicit
 * attention heat maps (Figures 5 and 8).
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Layer statistics and figures: Eq. 7 curves, patch-grid importance, implicit attention (Eq. 5).")
public final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @picocli.CommandLine.Mixin
    SurveyOptions inputs;

    @Option(names = "--out", defaultValue = "analysis", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--layers", split = ",", paramLabel = "L", description = "Layers for the per-sample figures (default: first, early, late, last).")
    List<Integer> layers;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        List<EvalSample> samples = inputs.samples();
        Files.createDirectories(out);
        try (VisionLanguageModel vlm = VisionLanguageModel.load(inputs.model, common.builder())) {
            int n = vlm.model().layerCount();
            Set<Integer> chosen = new LinkedHashSet<>();
            if (layers == null) {
                chosen.addAll(List.of(0, vlm.model().pruningDefaults().early(), vlm.model().pruningDefaults().late(), n - 1));
            } else {
                for (int l : layers) {
                    if (l < 0 || l >= n) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--layers: layer " + l
                                + " outside 0.." + (n - 1));
                    }
                    chosen.add(l);
                }
            }
            Set<Integer> all = new LinkedHashSet<>();
            for (int l = 0; l < n; l++) {
                all.add(l);
            }
            LayerSurvey survey = LayerSurvey.run(vlm, samples, all, inputs.attentionSamples(samples.size()), o);
            writeCurves(survey, n);
            writeSampleFigures(survey, chosen, vlm.visionConfig().gridSide());
            o.printf(Locale.ROOT, "Analysed %d samples, %d layers → %s (std-curve.csv/png, importance-L*.png, "
                    + "attention-L*.png, attention-all.png, text-to-visual.png)%n", survey.samples, n, out);
        }
        o.flush();
        return 0;
    }

    private void writeCurves(LayerSurvey s, int layers) throws IOException {
        StringBuilder csv = new StringBuilder("layer");
        for (String signal : LayerProbe.SIGNALS) {
            csv.append(',').append(signal).append("_std_mean,").append(signal).append("_std_spread");
        }
        csv.append(",text_to_visual\n");
        for (int l = 0; l < layers; l++) {
            csv.append(l);
            for (String signal : LayerProbe.SIGNALS) {
                ImportanceStatistics st = s.stats.get(signal);
                csv.append(String.format(Locale.ROOT, ",%.6g,%.6g", st.mean()[l], st.spread()[l]));
            }
            csv.append(String.format(Locale.ROOT, ",%.6g%n", s.textToVisual[l]));
        }
        Files.writeString(out.resolve("std-curve.csv"), csv, StandardCharsets.UTF_8);
        Charts.save(Charts.stdCurve("Eq. 7 with Δ importance (" + s.samples + " samples)", s.stats.get("delta").mean(),
                s.stats.get("delta").spread(), null, null), out.resolve("std-curve.png"));
        List<Chart<?, ?>> four = new ArrayList<>();
        for (String signal : LayerProbe.SIGNALS) {
            four.add(Charts.stdCurve("Eq. 7 with " + label(signal) + " importance", s.stats.get(signal).mean(),
                    s.stats.get(signal).spread(), null, null));
        }
        Charts.saveGrid(four, 2, 2, out.resolve("std-curve-signals.png"));
        Charts.save(Charts.curve("Share of text tokens' implicit attention on visual tokens", "share of attention",
                "text → visual", s.textToVisual), out.resolve("text-to-visual.png"));
    }

    private void writeSampleFigures(LayerSurvey s, Set<Integer> chosen, int side) throws IOException {
        LayerProbe.Result r = s.first;
        List<Chart<?, ?>> grid = new ArrayList<>();
        int layers = s.textToVisual.length;
        for (int l = 0; l < layers; l++) {
            grid.add(Charts.attention("layer " + l, r.attention().get(l), r.length(), 48, 320));
        }
        int cols = Math.min(6, layers);
        Charts.saveGrid(grid, (layers + cols - 1) / cols, cols, out.resolve("attention-all.png"));
        for (int l : chosen) {
            List<Chart<?, ?>> row = new ArrayList<>();
            for (String signal : LayerProbe.SIGNALS) {
                row.add(Charts.patchGrid(label(signal) + " importance, layer " + l, r.importance().get(signal)[l], side));
            }
            for (String signal : LayerProbe.SIGNALS) {
                row.add(Charts.topHalfScatter(label(signal) + ", layer " + l, r.importance().get(signal)[l]));
            }
            Charts.saveGrid(row, 2, 4, out.resolve(String.format(Locale.ROOT, "importance-L%02d.png", l)));
            float[] k = r.attention().get(l);
            if (k != null) {
                Charts.save(Charts.attention("Implicit attention (Eq. 5), layer " + l, k, r.length(), 96, 640),
                        out.resolve(String.format(Locale.ROOT, "attention-L%02d.png", l)));
            }
        }
    }

    static String label(String signal) {
        return switch (signal) {
            case "delta" -> "Δ";
            case "y" -> "y";
            case "b" -> "B";
            case "c" -> "C";
            default -> signal;
        };
    }
}
