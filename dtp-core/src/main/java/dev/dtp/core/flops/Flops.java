package dev.dtp.core.flops;

import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.Selection;
import dev.dtp.core.TensorLayerContext;
import dev.dtp.core.TokenLayout;

/**
 * Analytic multiply-accumulate (MAC) count of a Mamba language model's prefill — what the paper's
 * "FLOPs" column reports, in units of 10^12. Per layer, for T_in tokens entering it and T_kept
 * tokens its scan processes (T_kept = T_in unless the layer prunes):
 *
 * <pre>
 *   before the pruning decision, on T_in tokens:
 *     RMSNorm        2·d
 *     in_proj        d · 2·d_inner
 *     conv1d         d_inner · d_conv
 *     x_proj         d_inner · (dt_rank + 2N)
 *     dt_proj        dt_rank · d_inner
 *   after it, on T_kept tokens:
 *     scan           d_inner · (3N + 2)   (Δ·A, Ā·h + Δ·B·x and C·h per state element; Δ·x and D·x per channel)
 *     gate           d_inner
 *     out_proj       d_inner · d
 *   once, for the last position: final RMSNorm 2·d and lm_head d · vocab.
 * </pre>
 *
 * Element-wise work without a multiplication (SiLU, softplus, exp, residual adds) is not counted.
 */
public final class Flops {
    private Flops() {}

    /** MACs of a prefill: per layer and in total, next to the same input without pruning. */
    public record Result(long macs, long baselineMacs, long[] perLayer) {
        public double ratio() {
            return (double) macs / baselineMacs;
        }

        /** MACs in units of 10^12, as the paper's tables print them. */
        public double teraMacs() {
            return macs / 1e12;
        }
    }

    /** MACs per token before the pruning decision of a layer (norm, in_proj, conv, x_proj, dt_proj). */
    public static long beforeDecision(MambaShape s) {
        long d = s.dModel();
        long di = s.dInner();
        return 2 * d + d * 2 * di + di * s.dConv() + di * (s.dtRank() + 2L * s.dState()) + (long) s.dtRank() * di;
    }

    /** MACs per token after the pruning decision of a layer (scan, gate, out_proj). */
    public static long afterDecision(MambaShape s) {
        long di = s.dInner();
        return di * (3L * s.dState() + 2) + di + di * s.dModel();
    }

    public static long layer(MambaShape s, int tokensIn, int tokensKept) {
        return tokensIn * beforeDecision(s) + tokensKept * afterDecision(s);
    }

    public static long head(MambaShape s) {
        return 2L * s.dModel() + (long) s.dModel() * s.vocabSize();
    }

    /** MACs of an unpruned prefill of {@code tokens} tokens. */
    public static long baseline(MambaShape s, int tokens) {
        return s.layers() * layer(s, tokens, tokens) + head(s);
    }

    /** MACs of the prefill a trace records (token counts per layer as they happened). */
    public static Result of(MambaShape s, PruningTrace trace) {
        if (trace.layers().size() != s.layers()) {
            throw new IllegalArgumentException("trace has " + trace.layers().size() + " layers, the shape " + s.layers());
        }
        long[] per = new long[s.layers()];
        long total = head(s);
        for (PruningTrace.LayerTrace l : trace.layers()) {
            per[l.layer()] = layer(s, l.inputCount(), l.keptCount());
            total += per[l.layer()];
        }
        return new Result(total, baseline(s, trace.layout().length()), per);
    }

    /**
     * MACs of running {@code policy} on an input of {@code layout}, without a model: the policy sees
     * counting-only contexts whose importance scores are all zero, so a top-k policy keeps the
     * right number of tokens (which ones does not change the count).
     */
    public static Result simulate(MambaShape s, TokenLayout layout, PruningPolicy policy) {
        int[] positions = new int[layout.length()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        long[] per = new long[s.layers()];
        long total = head(s);
        for (int l = 0; l < s.layers(); l++) {
            TensorLayerContext ctx = TensorLayerContext.countingOnly(l, s.layers(), layout, positions);
            Selection sel = policy.select(ctx);
            sel.validate(policy.name(), l, positions.length);
            int[] kept = positions;
            if (!sel.keepsAll()) {
                int[] idx = sel.indices();
                kept = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    kept[i] = positions[idx[i]];
                }
            }
            per[l] = layer(s, positions.length, kept.length);
            total += per[l];
            positions = kept;
        }
        return new Result(total, baseline(s, layout.length()), per);
    }
}
