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

    /**
     * A snapshot of the caches now (after the prefill and every decode step so far): the state a
     * later prefill continues from, e.g. the next turn of a chat. Independent of this prefill: it
     * stays valid after {@link #close()} and must be closed on its own.
     */
    default SequenceState state() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose its state");
    }

    @Override
    void close();
}
