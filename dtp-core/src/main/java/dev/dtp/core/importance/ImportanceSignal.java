package dev.dtp.core.importance;

import dev.dtp.core.LayerContext;

/**
 * A per-token importance score computed from a layer's internals. Add your own by implementing
 * this interface and, for spec strings, {@link ImportanceSignals#register}.
 */
public interface ImportanceSignal {

    /** Name used in policy specs ({@code signal=NAME}). */
    String name();

    /**
     * How many layers after the one it describes this signal becomes available before a scan:
     * 0 for Δ, B and C (computed before the scan), 1 for y (known only after the scan, so a
     * y-based choice "at layer ℓ" is made at the input of layer ℓ+1).
     */
    default int lag() {
        return 0;
    }

    /** One score per current token of the context's layer. */
    float[] score(LayerContext context);
}
