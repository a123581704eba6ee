package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PolicyException;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.importance.ImportanceSignal;
import dev.dtp.core.importance.ImportanceSignals;

/**
 * DTP (paper Sec. 4.2): keep the top r of the visual tokens by importance at the early layer,
 * drop every visual token at the late layer.
 */
public final class Dtp implements PruningPolicy {
    private final TopKVisual early;
    private final WithdrawVisual late;

    public Dtp(int earlyLayer, double keepRatio, int lateLayer, ImportanceSignal signal) {
        if (lateLayer <= earlyLayer + signal.lag()) {
            String pruningLayer = signal.lag() == 0 ? "the early layer (" + earlyLayer + ")"
                    : "layer " + (earlyLayer + signal.lag()) + ", where the " + signal.name()
                            + " ranking of early layer " + earlyLayer + " prunes (it is known only after that layer)";
            throw new PolicyException("dtp: late layer (" + lateLayer + ") must come after " + pruningLayer);
        }
        this.early = new TopKVisual(earlyLayer, keepRatio, signal);
        this.late = new WithdrawVisual(lateLayer);
    }

    public Dtp(int earlyLayer, double keepRatio, int lateLayer) {
        this(earlyLayer, keepRatio, lateLayer, ImportanceSignals.DELTA);
    }

    @Override
    public Selection select(LayerContext ctx) {
        Selection s = early.select(ctx);
        return s.keepsAll() ? late.select(ctx) : s;
    }

    public int earlyLayer() {
        return early.layer();
    }

    public int lateLayer() {
        return late.layer();
    }

    public double keepRatio() {
        return early.keepRatio();
    }

    /** Prefix-safe: both stages look at visual tokens only. */
    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        String sig = early.signal() == ImportanceSignals.DELTA ? "" : ",signal=" + early.signal().name();
        return "dtp:early=" + early.layer() + ",r=" + Policies.fmt(early.keepRatio()) + ",late=" + late.layer() + sig;
    }
}
