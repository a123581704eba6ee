package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.TokenKind;

/** Drops every visual token at one layer: VTW(k), and the complete stage of DTP. */
public final class WithdrawVisual implements PruningPolicy {
    private final int layer;

    public WithdrawVisual(int layer) {
        Policies.checkLayer(layer, "vtw");
        this.layer = layer;
    }

    @Override
    public Selection select(LayerContext ctx) {
        if (ctx.layer() != layer || ctx.count(TokenKind.VISUAL) == 0) {
            return Selection.keepAll();
        }
        return Policies.keepWith(ctx, TokenKind.VISUAL, new int[0]);
    }

    public int layer() {
        return layer;
    }

    /** Prefix-safe: drops visual tokens whatever follows. */
    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        return "vtw:k=" + layer;
    }
}
