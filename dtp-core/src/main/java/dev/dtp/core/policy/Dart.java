package dev.dtp.core.policy;

import ai.djl.ndarray.NDArray;
import dev.dtp.core.LayerContext;
import dev.dtp.core.PolicyException;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.TokenKind;
import java.util.Arrays;

/**
 * DART (Wen et al., 2025, "Stop Looking for Important Tokens in Multimodal Language Models:
 * Duplication Matters More"), the camera-ready's third baseline: at layer k, take as pivots the
 * visual tokens whose input hidden states have the largest L2 norm, then keep the pivots and the
 * visual tokens least similar (largest cosine similarity to any pivot, smallest first) up to
 * round(r × visual); the near-duplicates of the pivots are dropped. Text and special tokens stay.
 */
public final class Dart implements PruningPolicy {
    /** Pivots when a spec does not say. */
    public static final int DEFAULT_PIVOTS = 8;

    private final int layer;
    private final double keepRatio;
    private final int pivots;

    public Dart(int layer, double keepRatio, int pivots) {
        Policies.checkRatio(keepRatio, "dart");
        Policies.checkLayer(layer, "dart");
        if (pivots < 1) {
            throw new PolicyException("dart: pivots must be >= 1, got " + pivots);
        }
        this.layer = layer;
        this.keepRatio = keepRatio;
        this.pivots = pivots;
    }

    @Override
    public Selection select(LayerContext ctx) {
        if (ctx.layer() != layer) {
            return Selection.keepAll();
        }
        int[] visual = ctx.indicesOf(TokenKind.VISUAL);
        int k = (int) Math.round(keepRatio * visual.length);
        if (k >= visual.length) {
            return Selection.keepAll();
        }
        NDArray hidden = ctx.hiddenStates(); // (tokens, d_model)
        if (hidden == null) { // counting only: which k are kept does not change the count
            return Policies.keepWith(ctx, TokenKind.VISUAL, Arrays.copyOf(visual, k));
        }
        float[][] h = TokenFeatures.rows(hidden, ctx.tokenCount());
        float[] norm = new float[h.length];
        for (int i : visual) {
            norm[i] = (float) TokenFeatures.norm(h[i]);
        }
        int[] pivot = Policies.topK(norm, visual, Math.min(pivots, k));
        float[] dissimilarity = new float[h.length]; // − max cosine similarity to a pivot
        for (int i : visual) {
            double most = Double.NEGATIVE_INFINITY;
            for (int p : pivot) {
                most = Math.max(most, TokenFeatures.cosine(h[i], h[p]));
            }
            dissimilarity[i] = (float) -most;
        }
        int[] others = Arrays.stream(visual).filter(i -> Arrays.binarySearch(pivot, i) < 0).toArray();
        int[] fresh = Policies.topK(dissimilarity, others, k - pivot.length);
        int[] kept = new int[k];
        System.arraycopy(pivot, 0, kept, 0, pivot.length);
        System.arraycopy(fresh, 0, kept, pivot.length, fresh.length);
        return Policies.keepWith(ctx, TokenKind.VISUAL, kept);
    }

    public int layer() {
        return layer;
    }

    public double keepRatio() {
        return keepRatio;
    }

    public int pivots() {
        return pivots;
    }

    /** Prefix-safe: pivots and similarities are taken among visual tokens only. */
    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        return "dart:k=" + layer + ",r=" + Policies.fmt(keepRatio) + ",pivots=" + pivots;
    }
}
