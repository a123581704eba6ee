package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.SequenceState;
import dev.dtp.core.TokenLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * A Mamba model's {@link SequenceState}: per layer the last d_conv−1 conv inputs and the SSM state
 * (about 2 × d_inner × d_state floats a layer, whatever the length consumed), the logits after the
 * last token that reached the last layer, and the trace. Immutable: continuations read its arrays
 * and never write them. Files: {@link StateFile}.
 */
public final class MambaState implements SequenceState {
    private final NDManager manager;
    private final List<LayerCache> caches;
    private final TokenLayout layout;
    private final PruningTrace trace;
    private final String policy;
    private final String fingerprint;
    private final float[] logits;
    private volatile boolean closed;

    /** Takes ownership of {@code manager}, which holds the caches' arrays. */
    MambaState(NDManager manager, List<LayerCache> caches, PruningTrace trace, String policy, String fingerprint,
            float[] logits) {
        this.manager = manager;
        this.caches = List.copyOf(caches);
        this.trace = trace;
        this.layout = trace.layout();
        this.policy = policy;
        this.fingerprint = fingerprint;
        this.logits = logits;
    }

    /** Layer {@code index}'s cache; read only. */
    LayerCache layer(int index) {
        checkOpen();
        return caches.get(index);
    }

    int layerCount() {
        return caches.size();
    }

    @Override
    public int length() {
        return layout.length();
    }

    @Override
    public TokenLayout layout() {
        return layout;
    }

    @Override
    public PruningTrace trace() {
        return trace;
    }

    @Override
    public String policy() {
        return policy;
    }

    @Override
    public String modelFingerprint() {
        return fingerprint;
    }

    @Override
    public boolean hasLogits() {
        return logits != null;
    }

    @Override
    public float[] logits() {
        if (logits == null) {
            throw new IllegalStateException("no token of this state reached the last layer (policy '" + policy
                    + "' withdrew them all): continue it with text to get logits");
        }
        return logits.clone();
    }

    float[] logitsOrNull() {
        return logits;
    }

    /** Native bytes the state holds (its conv windows and SSM states). */
    @Override
    public long bytes() {
        long n = 0;
        for (LayerCache c : caches) {
            n += c.convState().size() + c.ssmState().size();
        }
        return 4 * n;
    }

    @Override
    public void save(Path file) {
        checkOpen();
        StateFile.write(file, this);
    }

    List<LayerCache> caches() {
        checkOpen();
        return caches;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this sequence state is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    @Override
    public String toString() {
        return "MambaState[" + layout.length() + " positions, policy " + policy + "]";
    }

    /** Copies of {@code caches} in {@code target}. */
    static List<LayerCache> copy(List<LayerCache> caches, NDManager target) {
        return caches.stream().map(c -> new LayerCache(duplicate(c.convState(), target), duplicate(c.ssmState(), target)))
                .toList();
    }

    private static NDArray duplicate(NDArray a, NDManager target) {
        NDArray copy = a.duplicate();
        copy.attach(target);
        return copy;
    }
}
