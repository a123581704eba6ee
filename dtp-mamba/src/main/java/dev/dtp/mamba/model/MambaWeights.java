package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.mamba.MambaConfig;
import java.util.List;

/**
 * All parameters of a Mamba language model, owned by {@code manager} (closing it frees them).
 *
 * @param embedding (padded_vocab, d_model)
 * @param normF final RMSNorm weight (d_model)
 * @param lmHead (padded_vocab, d_model); the embedding itself when tied
 */
public record MambaWeights(
        MambaConfig config, NDManager manager, NDArray embedding, List<LayerWeights> layers, NDArray normF, NDArray lmHead)
        implements AutoCloseable {

    public MambaWeights {
        layers = List.copyOf(layers);
    }

    @Override
    public void close() {
        manager.close();
    }
}
