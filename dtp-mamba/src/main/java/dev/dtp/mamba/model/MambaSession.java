package dev.dtp.mamba.model;

import ai.djl.ndarray.NDManager;
import dev.dtp.core.Prefill;
import dev.dtp.core.PruningTrace;
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
    private float[] logits;
    private boolean closed;

    MambaSession(MambaModel model, NDManager cacheManager, List<LayerCache> caches, float[] logits, PruningTrace trace,
            long prefillNanos) {
        this.model = model;
        this.cacheManager = cacheManager;
        this.caches = new ArrayList<>(caches);
        this.logits = logits;
        this.trace = trace;
        this.prefillNanos = prefillNanos;
    }

    @Override
    public float[] logits() {
        return logits.clone();
    }

    @Override
    public PruningTrace trace() {
        return trace;
    }

    @Override
    public long prefillNanos() {
        return prefillNanos;
    }

    @Override
    public float[] decode(int tokenId) {
        if (closed) {
            throw new IllegalStateException("this prefill session is closed");
        }
        logits = model.step(tokenId, caches, cacheManager);
        return logits.clone();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cacheManager.close();
        }
    }
}
