package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.TokenKind;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The random baseline of the paper's Table 4: keeps round(r × visual) visual tokens chosen
 * uniformly at random at one layer. The choice depends only on the seed and the tokens present,
 * so a run is reproducible.
 */
public final class RandomVisual implements PruningPolicy {
    private final int layer;
    private final double keepRatio;
    private final long seed;

    public RandomVisual(int layer, double keepRatio, long seed) {
        Policies.checkRatio(keepRatio, "random");
        Policies.checkLayer(layer, "random");
        this.layer = layer;
        this.keepRatio = keepRatio;
        this.seed = seed;
    }

    @Override
    public Selection select(LayerContext ctx) {
        if (ctx.layer() != layer) {
            return Selection.keepAll();
        }
        int[] visual = ctx.indicesOf(TokenKind.VISUAL);
        int k = (int) Math.round(keepRatio * visual.length);
        if (visual.length == 0 || k >= visual.length) {
            return Selection.keepAll();
        }
        // partial Fisher–Yates: the first k of a seeded shuffle
        int[] pool = visual.clone();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(pool.length - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
        }
        int[] chosen = Arrays.copyOf(pool, k);
        Arrays.sort(chosen);
        return Policies.keepWith(ctx, TokenKind.VISUAL, chosen);
    }

    /** Prefix-safe: a seeded choice among visual tokens. */
    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        return "random:layer=" + layer + ",r=" + Policies.fmt(keepRatio) + ",seed=" + seed;
    }
}
