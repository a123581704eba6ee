package dev.dtp.core;

import ai.djl.ndarray.NDArray;
import dev.dtp.core.importance.ImportanceSignal;
import dev.dtp.core.importance.ImportanceSignals;

/**
 * Everything a {@link PruningPolicy} may look at for one layer. Cheap accessors return plain
 * values; tensors are views owned by the model and valid only during {@link
 * PruningPolicy#select}; importance vectors are computed on first request and cached.
 *
 * <p>"Current tokens" are the tokens that reached this layer, in original order; index {@code i}
 * of every accessor and of {@link Selection#keep} refers to the same token.
 */
public interface LayerContext {

    /** 0-based index of this layer. */
    int layer();

    int layerCount();

    /** Number of current tokens. */
    int tokenCount();

    /** Original position (in the full input) of current token {@code i}. */
    int position(int i);

    /** Original positions of all current tokens, increasing (a fresh copy). */
    int[] positions();

    TokenKind kind(int i);

    /** The full input's layout (original positions). */
    TokenLayout layout();

    /** Indices of the current tokens of one kind, increasing (a fresh copy). */
    int[] indicesOf(TokenKind kind);

    /** Number of current tokens of one kind. */
    int count(TokenKind kind);

    /** Δ of this layer, shape (tokens, d_inner): softplus(dt_proj(dt) + bias). */
    NDArray delta();

    /** B of this layer, shape (tokens, d_state). */
    NDArray b();

    /** C of this layer, shape (tokens, d_state). */
    NDArray c();

    /**
     * The selective-SSM output y (including the D·x skip, before gating) of the previous layer
     * for the current tokens, shape (tokens, d_inner); null at layer 0. This is how y-based
     * importance is available before this layer's scan.
     */
    NDArray previousY();

    /**
     * The hidden states entering this layer (the residual stream before its norm) for the
     * current tokens, shape (tokens, d_model): what feature-based policies such as DART rank on.
     * Null where the context was built for token counting only (e.g. FLOPs simulation).
     */
    default NDArray hiddenStates() {
        return null;
    }

    /** Importance of every current token under {@code signal}; cached per signal. */
    float[] importance(ImportanceSignal signal);

    /** Δ importance, Eq. 6: s_j = mean over d_inner of Δ_{j,d}. */
    default float[] importance() {
        return importance(ImportanceSignals.DELTA);
    }
}
