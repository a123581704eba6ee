package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PolicyException;
import dev.dtp.core.Selection;
import dev.dtp.core.TokenKind;
import java.util.Arrays;

/** Small helpers shared by the built-in policies. */
public final class Policies {
    private Policies() {}

    static void checkRatio(double r, String policy) {
        if (!(r > 0 && r <= 1)) {
            throw new PolicyException(policy + ": keep ratio r must be in (0, 1], got " + r);
        }
    }

    static void checkLayer(int layer, String policy) {
        if (layer < 0) {
            throw new PolicyException(policy + ": layer must be >= 0, got " + layer);
        }
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * The {@code k} candidates with the highest score, ties broken by lower index (position),
     * returned in increasing index order.
     */
    public static int[] topK(float[] score, int[] candidates, int k) {
        if (k >= candidates.length) {
            return candidates.clone();
        }
        Integer[] order = Arrays.stream(candidates).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(score[b], score[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] top = new int[Math.max(0, k)];
        for (int i = 0; i < top.length; i++) {
            top[i] = order[i];
        }
        Arrays.sort(top);
        return top;
    }

    /**
     * Keeps every current token whose kind is not {@code kind}, plus {@code keptOfKind} (indices
     * of tokens of that kind), in increasing order.
     */
    public static Selection keepWith(LayerContext ctx, TokenKind kind, int[] keptOfKind) {
        int n = ctx.tokenCount();
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            keep[i] = ctx.kind(i) != kind;
        }
        for (int i : keptOfKind) {
            keep[i] = true;
        }
        int count = 0;
        for (boolean b : keep) {
            if (b) {
                count++;
            }
        }
        if (count == n) {
            return Selection.keepAll();
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < n; i++) {
            if (keep[i]) {
                out[j++] = i;
            }
        }
        return Selection.keep(out);
    }
}
