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

    /** The policy that never prunes. */
    static PruningPolicy none() {
        return NoPruning.INSTANCE;
    }
}
