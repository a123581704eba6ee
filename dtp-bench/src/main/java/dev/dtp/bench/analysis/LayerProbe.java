package dev.dtp.bench.analysis;

import dev.dtp.core.ModelInput;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TokenKind;
import dev.dtp.core.TokenLayout;
import dev.dtp.mamba.analysis.ImplicitAttention;
import dev.dtp.mamba.model.LayerObserver;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.model.MambaSession;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One unpruned prefill, observed: per layer, the importance of every visual token under each signal
 * (mean over the last axis of Δ, y, B or C — Eq. 6 and Table 3), and, when asked, the layer's
 * aggregated implicit attention (Eq. 5) and the share of the text tokens' attention that falls on
 * visual tokens.
 */
public final class LayerProbe {
    public static final List<String> SIGNALS = List.of("delta", "y", "b", "c");

    /** What one prefill showed. importance.get(signal)[layer] = one value per visual token. */
    public record Result(int length, TokenLayout layout, Map<String, float[][]> importance, Map<Integer, float[]> attention,
            double[] textToVisual) {}

    private LayerProbe() {}

    /**
     * @param attentionLayers layers whose full attention matrix to keep
     * @param textToVisual whether to compute every layer's text-to-visual share (costs one attention per layer)
     */
    public static Result run(MambaModel model, ModelInput input, Set<Integer> attentionLayers, boolean textToVisual) {
        int layers = model.layerCount();
        TokenLayout layout = input.layout();
        int length = layout.length();
        boolean[] visual = new boolean[length];
        boolean[] text = new boolean[length];
        for (int i = 0; i < length; i++) {
            visual[i] = layout.kind(i) == TokenKind.VISUAL;
            text[i] = layout.kind(i) == TokenKind.TEXT;
        }
        Map<String, float[][]> importance = new LinkedHashMap<>();
        SIGNALS.forEach(s -> importance.put(s, new float[layers][]));
        Map<Integer, float[]> attention = new LinkedHashMap<>();
        double[] t2v = new double[layers];
        Arrays.fill(t2v, Double.NaN);
        LayerObserver observer = t -> {
            int l = t.layer();
            int channels = (int) t.delta().getShape().get(1);
            int n = (int) t.b().getShape().get(1);
            float[] delta = t.delta().toFloatArray();
            float[] b = t.b().toFloatArray();
            float[] c = t.c().toFloatArray();
            importance.get("delta")[l] = visualMeans(delta, channels, visual, false);
            importance.get("y")[l] = visualMeans(t.y().toFloatArray(), channels, visual, false);
            importance.get("b")[l] = visualMeans(b, n, visual, false);
            importance.get("c")[l] = visualMeans(c, n, visual, false);
            if (attentionLayers.contains(l) || textToVisual) {
                float[] k = new ImplicitAttention(length, channels, n, delta, t.a().toFloatArray(), b, c).aggregate();
                if (attentionLayers.contains(l)) {
                    attention.put(l, k);
                }
                t2v[l] = ImplicitAttention.share(k, length, text, visual);
            }
        };
        try (MambaSession s = model.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT, observer)) {
            // everything of interest was copied by the observer
        }
        return new Result(length, layout, importance, attention, t2v);
    }

    /** Per visual row, the mean over its {@code width} values. */
    static float[] visualMeans(float[] rows, int width, boolean[] visual, boolean absolute) {
        int count = 0;
        for (boolean v : visual) {
            count += v ? 1 : 0;
        }
        float[] out = new float[count];
        int k = 0;
        for (int t = 0; t < visual.length; t++) {
            if (!visual[t]) {
                continue;
            }
            double s = 0;
            for (int i = 0; i < width; i++) {
                float v = rows[t * width + i];
                s += absolute ? Math.abs(v) : v;
            }
            out[k++] = (float) (s / width);
        }
        return out;
    }
}
