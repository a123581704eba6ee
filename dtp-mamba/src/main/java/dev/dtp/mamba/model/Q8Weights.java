package dev.dtp.mamba.model;

import dev.dtp.mamba.decode.Q8Rows;
import java.util.List;

/**
 * The large matrices of a model in int8 ({@link WeightFormat#INT8}); their float32 arrays in
 * {@link MambaWeights} are then null.
 *
 * @param embedding (padded_vocab, d_model)
 * @param lmHead (padded_vocab, d_model); the same object as {@code embedding} when tied
 */
public record Q8Weights(Q8Rows embedding, Q8Rows lmHead, List<Layer> layers) {
    /** One block's int8 matrices: in_proj (2·d_inner, d_model), x_proj, out_proj. */
    public record Layer(Q8Rows inProj, Q8Rows xProj, Q8Rows outProj) {}

    public Q8Weights {
        layers = List.copyOf(layers);
    }

    /** Bytes of int8 quants and scales, the tied head counted once. */
    public long bytes() {
        long n = embedding.bytes() + (lmHead == embedding ? 0 : lmHead.bytes());
        for (Layer l : layers) {
            n += l.inProj().bytes() + l.xProj().bytes() + l.outProj().bytes();
        }
        return n;
    }
}
