package dev.dtp.bench.analysis;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.calibration.ImportanceStatistics;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link LayerProbe} over a calibration set: Eq. 7 statistics per signal, the mean text-to-visual
 * attention share per layer, and the first sample's probe kept whole for the per-sample figures.
 */
final class LayerSurvey {
    final Map<String, ImportanceStatistics> stats = new LinkedHashMap<>();
    final double[] textToVisual;
    final LayerProbe.Result first;
    final int samples;

    private LayerSurvey(Map<String, ImportanceStatistics> stats, double[] textToVisual, LayerProbe.Result first, int samples) {
        this.stats.putAll(stats);
        this.textToVisual = textToVisual;
        this.first = first;
        this.samples = samples;
    }

    static LayerSurvey run(VisionLanguageModel vlm, List<EvalSample> samples, Set<Integer> attentionLayers,
            int attentionSamples, PrintWriter out) {
        int layers = vlm.model().layerCount();
        Map<String, ImportanceStatistics> stats = new LinkedHashMap<>();
        LayerProbe.SIGNALS.forEach(s -> stats.put(s, new ImportanceStatistics(layers)));
        double[] t2v = new double[layers];
        int[] t2vCount = new int[layers];
        LayerProbe.Result first = null;
        Progress progress = new Progress(out, "layers", samples.size());
        int done = 0;
        for (EvalSample s : samples) {
            try (NDManager m = NDManager.newBaseManager(vlm.model().device())) {
                boolean withAttention = done < attentionSamples;
                LayerProbe.Result r = LayerProbe.run(vlm.model(), EvalInputs.input(vlm, s, m),
                        first == null ? attentionLayers : Set.of(), withAttention);
                for (String signal : LayerProbe.SIGNALS) {
                    stats.get(signal).add(r.importance().get(signal));
                }
                for (int l = 0; l < layers; l++) {
                    if (!Double.isNaN(r.textToVisual()[l])) {
                        t2v[l] += r.textToVisual()[l];
                        t2vCount[l]++;
                    }
                }
                if (first == null) {
                    first = r;
                }
            }
            progress.update(++done, s.id());
        }
        for (int l = 0; l < layers; l++) {
            t2v[l] = t2vCount[l] == 0 ? Double.NaN : t2v[l] / t2vCount[l];
        }
        return new LayerSurvey(stats, t2v, first, samples.size());
    }
}
