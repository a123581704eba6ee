package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.importance.ImportanceSignal;
import dev.dtp.core.importance.ImportanceSignals;

/**
 * FastV(k, r) as the paper adapts it to Mamba (Sec. 5.1): one-shot top-k visual selection at layer
 * k, ranked by Δ importance because Mamba has no attention scores.
 */
public final class FastV implements PruningPolicy {
    private final TopKVisual stage;

    public FastV(int layer, double keepRatio, ImportanceSignal signal) {
        Policies.checkRatio(keepRatio, "fastv");
        Policies.checkLayer(layer, "fastv");
        this.stage = new TopKVisual(layer, keepRatio, signal);
    }

    public FastV(int layer, double keepRatio) {
        this(layer, keepRatio, ImportanceSignals.DELTA);
    }

    @Override
    public Selection select(LayerContext ctx) {
        return stage.select(ctx);
    }

    /** Prefix-safe: one top-k over visual tokens. */
    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        String sig = stage.signal() == ImportanceSignals.DELTA ? "" : ",signal=" + stage.signal().name();
        return "fastv:k=" + stage.layer() + ",r=" + Policies.fmt(stage.keepRatio()) + sig;
    }
}
