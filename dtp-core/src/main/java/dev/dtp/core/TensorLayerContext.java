package dev.dtp.core;

import ai.djl.ndarray.NDArray;
import dev.dtp.core.importance.ImportanceSignal;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link LayerContext} over given tensors. The model builds one per layer; tests build one
 * from hand-made Δ values. Tensors may be null when a caller only counts tokens (a policy that
 * then asks for them gets a clear error).
 */
public final class TensorLayerContext implements LayerContext {
    private final int layer;
    private final int layerCount;
    private final TokenLayout layout;
    private final int[] positions;
    private final NDArray delta;
    private final NDArray b;
    private final NDArray c;
    private final NDArray previousY;
    private final NDArray hiddenStates;
    private Map<ImportanceSignal, float[]> cache;

    public TensorLayerContext(int layer, int layerCount, TokenLayout layout, int[] positions,
            NDArray delta, NDArray b, NDArray c, NDArray previousY) {
        this(layer, layerCount, layout, positions, delta, b, c, previousY, null);
    }

    /** @param hiddenStates the layer's input hidden states (tokens, d_model), or null */
    public TensorLayerContext(int layer, int layerCount, TokenLayout layout, int[] positions,
            NDArray delta, NDArray b, NDArray c, NDArray previousY, NDArray hiddenStates) {
        this.hiddenStates = hiddenStates;
        this.layer = layer;
        this.layerCount = layerCount;
        this.layout = layout;
        this.positions = positions;
        this.delta = delta;
        this.b = b;
        this.c = c;
        this.previousY = previousY;
    }

    /** A context for counting only: no tensors; every importance signal is 0 for all tokens. */
    public static TensorLayerContext countingOnly(int layer, int layerCount, TokenLayout layout, int[] positions) {
        return new TensorLayerContext(layer, layerCount, layout, positions, null, null, null, null);
    }

    @Override
    public int layer() {
        return layer;
    }

    @Override
    public int layerCount() {
        return layerCount;
    }

    @Override
    public int tokenCount() {
        return positions.length;
    }

    @Override
    public int position(int i) {
        return positions[i];
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public TokenKind kind(int i) {
        return layout.kind(positions[i]);
    }

    @Override
    public TokenLayout layout() {
        return layout;
    }

    @Override
    public int[] indicesOf(TokenKind kind) {
        int n = count(kind);
        int[] out = new int[n];
        for (int i = 0, j = 0; i < positions.length; i++) {
            if (layout.kind(positions[i]) == kind) {
                out[j++] = i;
            }
        }
        return out;
    }

    @Override
    public int count(TokenKind kind) {
        int n = 0;
        for (int p : positions) {
            if (layout.kind(p) == kind) {
                n++;
            }
        }
        return n;
    }

    @Override
    public NDArray delta() {
        return require(delta, "Δ");
    }

    @Override
    public NDArray b() {
        return require(b, "B");
    }

    @Override
    public NDArray c() {
        return require(c, "C");
    }

    @Override
    public NDArray previousY() {
        return previousY;
    }

    @Override
    public NDArray hiddenStates() {
        return hiddenStates;
    }

    @Override
    public float[] importance(ImportanceSignal signal) {
        if (delta == null && b == null && c == null) {
            return new float[positions.length];
        }
        if (cache == null) {
            cache = new HashMap<>(4);
        }
        float[] s = cache.get(signal);
        if (s == null) {
            s = signal.score(this);
            if (s.length != positions.length) {
                throw new PolicyException("importance signal '" + signal.name() + "' returned " + s.length
                        + " scores for " + positions.length + " tokens at layer " + layer);
            }
            cache.put(signal, s);
        }
        return s;
    }

    private NDArray require(NDArray a, String what) {
        if (a == null) {
            throw new PolicyException(what + " is not available in this context (layer " + layer
                    + "): it was built for token counting only");
        }
        return a;
    }
}
