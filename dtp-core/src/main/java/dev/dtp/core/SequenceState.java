package dev.dtp.core;

import java.nio.file.Path;

/**
 * A model's memory of everything it has read: per layer the conv window and the SSM state after
 * the tokens consumed so far (pruned as the policy chose), with the bookkeeping a continuation
 * needs. A prefill continues from it ({@link PrunedModel#prefill(SequenceState, ModelInput)})
 * exactly as if the tokens consumed so far and the new ones were one prefill.
 *
 * <p>Immutable: continuing from a state never changes it, so one state (an image's, say) serves
 * any number of continuations, from any number of threads. It lives on the model's device; close
 * it to free its native memory. Its size does not depend on how many tokens it has consumed.
 */
public interface SequenceState extends AutoCloseable {

    /** Positions consumed so far; a continuation's first token is at this position. */
    int length();

    /** Kinds and visual spans of the positions consumed. */
    TokenLayout layout();

    /** What each layer processed so far (original positions), decoded tokens included. */
    PruningTrace trace();

    /** The name of the policy the state was pruned with; a continuation must use the same. */
    String policy();

    /** The identity of the model that wrote the state; only that model can continue it. */
    String modelFingerprint();

    /**
     * True if some token reached the last layer, so that {@link #logits()} exists. False for a
     * prefix whose every token was withdrawn (an image alone under DTP or VTW): a continuation
     * with text then gives the logits.
     */
    boolean hasLogits();

    /** Next-token logits after the last token that reached the last layer. */
    float[] logits();

    /** Native bytes the state holds (what a cache of states counts). */
    long bytes();

    /**
     * Writes the state to a safetensors file that records the model's fingerprint, the policy,
     * the positions consumed and the trace; the model's {@code loadState} reads it back.
     */
    void save(Path file);

    @Override
    void close();
}
