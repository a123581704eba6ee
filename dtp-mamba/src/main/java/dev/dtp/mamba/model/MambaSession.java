package dev.dtp.mamba.model;

import ai.djl.ndarray.NDManager;
import dev.dtp.core.Prefill;
import dev.dtp.core.PruningTrace;
import dev.dtp.mamba.decode.DecodeState;
import java.util.ArrayList;
import java.util.List;

/**
 * The caches a (possibly pruned) prefill left, and decoding from them. Belongs to one thread;
 * close it to free its native memory.
 */
public final class MambaSession implements Prefill {
    private final MambaModel model;
    private final NDManager cacheManager;
    private final List<LayerCache> caches;
    private final PruningTrace trace;
    private final long prefillNanos;
    private final String policy;
    private final boolean prefixSafe;
    private float[] logits;
    /** The fused step's view of the caches, made at the first fused decode; null after an NDArray step. */
    private DecodeState fused;
    private int decoded;
    private boolean closed;

    MambaSession(MambaModel model, NDManager cacheManager, List<LayerCache> caches, float[] logits, PruningTrace trace,
            long prefillNanos, String policy, boolean prefixSafe) {
        this.model = model;
        this.cacheManager = cacheManager;
        this.caches = new ArrayList<>(caches);
        this.logits = logits;
        this.trace = trace;
        this.prefillNanos = prefillNanos;
        this.policy = policy;
        this.prefixSafe = prefixSafe;
    }

    @Override
    public float[] logits() {
        if (logits == null) {
            throw new IllegalStateException("no token reached the last layer (policy '" + policy + "' withdrew them all)");
        }
        return logits.clone();
    }

    /** The prefill's trace (the decoded tokens are in {@link #state()}'s). */
    @Override
    public PruningTrace trace() {
        return trace;
    }

    @Override
    public long prefillNanos() {
        return prefillNanos;
    }

    /** Feeds {@code tokenId} with the model's {@link MambaModel#decodeKernel() decode kernel}. */
    @Override
    public float[] decode(int tokenId) {
        return decode(tokenId, model.decodeKernel());
    }

    /** Feeds {@code tokenId} with the given kernel (both give the same logits up to float rounding). */
    public float[] decode(int tokenId, DecodeKernel kernel) {
        checkOpen();
        if (kernel == DecodeKernel.FUSED) {
            if (fused == null) {
                fused = model.fusedState(caches, cacheManager);
            }
            logits = model.stepFused(tokenId, fused);
        } else {
            fused = null; // the NDArray step replaces the cache arrays
            logits = model.step(tokenId, caches, cacheManager);
        }
        decoded++;
        return logits.clone();
    }

    /** The fused step's view of this session's caches (made at the first call), for a batched fused step. */
    DecodeState fusedState() {
        checkOpen();
        if (fused == null) {
            fused = model.fusedState(caches, cacheManager);
        }
        return fused;
    }

    /** Layer {@code index}'s cache now (read only). */
    LayerCache cache(int index) {
        checkOpen();
        return caches.get(index);
    }

    /** A copy of the caches now; see {@link Prefill#state()}. */
    @Override
    public MambaState state() {
        checkOpen();
        MambaModel.requirePrefixSafe(policy, prefixSafe);
        NDManager manager = model.newStateManager();
        try {
            return new MambaState(manager, MambaState.copy(caches, manager), trace.appendDecoded(decoded), policy,
                    model.fingerprint(), logits == null ? null : logits.clone());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The caches themselves as a state (no copy); the session is closed afterwards. */
    MambaState takeState() {
        checkOpen();
        closed = true;
        return new MambaState(cacheManager, caches, trace.appendDecoded(decoded), policy, model.fingerprint(), logits);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this prefill session is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cacheManager.close();
        }
    }
}
