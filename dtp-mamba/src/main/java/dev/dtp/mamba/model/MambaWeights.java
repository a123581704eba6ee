package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.mamba.MambaConfig;
import java.util.List;

/**
 * All parameters of a Mamba language model, owned by {@code manager} (closing it frees them).
 *
 * @param embedding (padded_vocab, d_model), or null when {@code q8} holds it
 * @param normF final RMSNorm weight (d_model)
 * @param lmHead (padded_vocab, d_model); the embedding itself when tied; null when {@code q8} holds it
 * @param q8 the large matrices in int8, or null for float32; when present, the embedding, lm_head
 *     and every layer's in_proj, x_proj and out_proj arrays are null
 */
public record MambaWeights(
        MambaConfig config, NDManager manager, NDArray embedding, List<LayerWeights> layers, NDArray normF, NDArray lmHead,
        Q8Weights q8)
        implements AutoCloseable {

    public MambaWeights {
        layers = List.copyOf(layers);
    }

    /** float32 weights. */
    public MambaWeights(MambaConfig config, NDManager manager, NDArray embedding, List<LayerWeights> layers, NDArray normF,
            NDArray lmHead) {
        this(config, manager, embedding, layers, normF, lmHead, null);
    }

    public WeightFormat format() {
        return q8 == null ? WeightFormat.F32 : WeightFormat.INT8;
    }

    @Override
    public void close() {
        manager.close();
    }
}
