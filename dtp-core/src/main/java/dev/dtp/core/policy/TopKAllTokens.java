package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.importance.ImportanceSignal;
import dev.dtp.core.importance.ImportanceSignals;
import java.util.Arrays;

/**
 * The "top-k over all tokens" ablation of the paper's Table 4: keeps the top round(r × all tokens)
 * by importance at one layer, text and special tokens included — the one built-in policy that may
 * drop text. The last token is always among them: its output is the next-token prediction, so a
 * prefill without it would have nothing to answer with (and a later stage, such as VTW withdrawing
 * every visual token, would leave nothing at all).
 */
public final class TopKAllTokens implements PruningPolicy {
    private final int layer;
    private final double keepRatio;
    private final ImportanceSignal signal;

    public TopKAllTokens(int layer, double keepRatio, ImportanceSignal signal) {
        Policies.checkRatio(keepRatio, "topk-all");
        Policies.checkLayer(layer, "topk-all");
        this.layer = layer;
        this.keepRatio = keepRatio;
        this.signal = signal;
    }

    public TopKAllTokens(int layer, double keepRatio) {
        this(layer, keepRatio, ImportanceSignals.DELTA);
    }

    @Override
    public Selection select(LayerContext ctx) {
        if (ctx.layer() != layer + signal.lag()) {
            return Selection.keepAll();
        }
        int n = ctx.tokenCount();
        int k = Math.max(1, (int) Math.round(keepRatio * n));
        if (k >= n) {
            return Selection.keepAll();
        }
        int[] rest = new int[n - 1];
        for (int i = 0; i < n - 1; i++) {
            rest[i] = i;
        }
        int[] top = Policies.topK(ctx.importance(signal), rest, k - 1); // ascending positions
        int[] kept = Arrays.copyOf(top, top.length + 1);
        kept[top.length] = n - 1; // the last token
        return Selection.keep(kept);
    }

    @Override
    public String name() {
        String sig = signal == ImportanceSignals.DELTA ? "" : ",signal=" + signal.name();
        return "topk-all:layer=" + layer + ",r=" + Policies.fmt(keepRatio) + sig;
    }
}
