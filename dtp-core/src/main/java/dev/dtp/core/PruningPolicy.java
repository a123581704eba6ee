package dev.dtp.core;

/**
 * Decides, once per layer during prefill, which of the current tokens the layer's scan and all
 * later layers process. The model calls it after the layer has computed Δ for every current
 * token and before the scan runs (see docs/PRUNING.md for the exact semantics).
 *
 * <p>Implementations must be stateless or thread-safe: one policy may serve several prefills
 * at once.
 */
@FunctionalInterface
public interface PruningPolicy {

    Selection select(LayerContext context);

    /** A short name used in errors and reports; the spec string for built-in policies. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Whether a prefill with this policy may be split into chunks — a prefix, then continuations
     * from its {@link SequenceState} — and give exactly what one prefill of the whole sequence
     * gives. True only when the policy's choice over the tokens of a chunk never depends on tokens
     * that come after the chunk: DTP, FastV, VTW and random over visual tokens are, because they
     * rank visual tokens among themselves and never look at the text that follows; {@code
     * topk-all} ranks text against visual tokens and is not. False unless a policy declares it;
     * continuing a state with a policy that is not prefix-safe is a {@link PolicyException}.
     * (docs/PRUNING.md, "Splitting a prefill")
     */
    default boolean prefixSafe() {
        return false;
    }

    /** The policy that never prunes. */
    static PruningPolicy none() {
        return NoPruning.INSTANCE;
    }
}
