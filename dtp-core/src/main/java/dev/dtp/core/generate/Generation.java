package dev.dtp.core.generate;

import dev.dtp.core.PruningTrace;

/**
 * The result of a generate call.
 *
 * @param tokens generated token ids (without the input; a stop token that ended decoding is included)
 * @param lastLogits logits (unpadded vocabulary) after the last generated token was fed, or after
 *     the prefill when no token was generated
 * @param trace what the prefill pruned
 * @param prefillNanos wall time of the prefill
 * @param decodeNanos wall time of all decode steps
 * @param stoppedByToken true when a stop token ended decoding
 */
public record Generation(
        int[] tokens, float[] lastLogits, PruningTrace trace, long prefillNanos, long decodeNanos, boolean stoppedByToken) {

    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : tokens.length / (decodeNanos / 1e9);
    }
}
