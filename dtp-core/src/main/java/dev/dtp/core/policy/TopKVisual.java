package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.TokenKind;
import dev.dtp.core.importance.ImportanceSignal;
import dev.dtp.core.importance.ImportanceSignals;

/**
 * Keeps the top k = round(r × visual tokens present) visual tokens by importance at one layer
 * (the selective stage of DTP, and FastV with Δ importance). Text and special tokens stay.
 */
public final class TopKVisual implements PruningPolicy {
    private final int layer;
    private final double keepRatio;
    private final ImportanceSignal signal;

    public TopKVisual(int layer, double keepRatio, ImportanceSignal signal) {
        Policies.checkRatio(keepRatio, "topk-visual");
        Policies.checkLayer(layer, "topk-visual");
        this.layer = layer;
        this.keepRatio = keepRatio;
        this.signal = signal;
    }

    public TopKVisual(int layer, double keepRatio) {
        this(layer, keepRatio, ImportanceSignals.DELTA);
    }

    @Override
    public Selection select(LayerContext ctx) {
        if (ctx.layer() != layer + signal.lag()) {
            return Selection.keepAll();
        }
        int[] visual = ctx.indicesOf(TokenKind.VISUAL);
        if (visual.length == 0) {
            return Selection.keepAll();
        }
        int k = (int) Math.round(keepRatio * visual.length);
        int[] topVisual = Policies.topK(ctx.importance(signal), visual, k);
        return Policies.keepWith(ctx, TokenKind.VISUAL, topVisual);
    }

    public int layer() {
        return layer;
    }

    public double keepRatio() {
        return keepRatio;
    }

    public ImportanceSignal signal() {
        return signal;
    }

    /** Prefix-safe: ranks visual tokens only, so the text after them never changes the choice. */
    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        return "topk-visual:layer=" + layer + ",r=" + Policies.fmt(keepRatio) + ",signal=" + signal.name();
    }
}
