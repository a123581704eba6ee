package dev.dtp.core;

/**
 * The state after a prefill: final-position logits, the pruning trace and the recurrent caches
 * that decoding continues from. Not thread-safe; close it to release its native memory.
 */
public interface Prefill extends AutoCloseable {

    /** Logits of the newest position over the unpadded vocabulary. */
    float[] logits();

    /** What each layer processed during the prefill. */
    PruningTrace trace();

    /** Wall time of the prefill in nanoseconds. */
    long prefillNanos();

    /**
     * Feeds one more token through the recurrent caches (one decode step) and returns the new
     * logits, exactly what a full forward over the prefilled tokens plus this one would give.
     */
    float[] decode(int tokenId);

    @Override
    void close();
}
