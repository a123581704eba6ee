package dev.dtp.core;

/**
 * Optional behaviour of a prefill.
 *
 * @param recordImportance store each layer's Δ importance (Eq. 6) in the trace
 * @param checkFinite check every layer's output for NaN/Inf and fail naming the layer (debug)
 */
public record PrefillOptions(boolean recordImportance, boolean checkFinite) {
    public static final PrefillOptions DEFAULT = new PrefillOptions(false, false);

    public PrefillOptions withRecordImportance(boolean on) {
        return new PrefillOptions(on, checkFinite);
    }

    public PrefillOptions withCheckFinite(boolean on) {
        return new PrefillOptions(recordImportance, on);
    }
}
