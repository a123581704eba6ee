package dev.dtp.mamba;

import dev.dtp.core.flops.MambaShape;

/**
 * The shape of a Mamba language model, read once from a checkpoint's config.json.
 *
 * @param dModel residual width (d_model)
 * @param layers number of Mamba blocks (n_layer)
 * @param vocabSize vocabulary size before padding (what logits report)
 * @param paddedVocabSize rows of the embedding and lm_head (vocab padded to pad_vocab_size_multiple)
 * @param dState SSM state size N (d_state)
 * @param dConv depthwise conv kernel width (d_conv)
 * @param expand d_inner = expand × d_model
 * @param dtRank rank of the Δ projection (dt_rank; "auto" = ceil(d_model / 16))
 * @param normEps RMSNorm epsilon
 * @param tieEmbeddings lm_head shares the embedding matrix
 * @param projBias in_proj and out_proj have biases (use_bias)
 * @param convBias conv1d has a bias (use_conv_bias)
 */
public record MambaConfig(
        int dModel,
        int layers,
        int vocabSize,
        int paddedVocabSize,
        int dState,
        int dConv,
        int expand,
        int dtRank,
        double normEps,
        boolean tieEmbeddings,
        boolean projBias,
        boolean convBias) {

    /** The shape FLOPs accounting needs ({@link dev.dtp.core.flops.Flops}). */
    public MambaShape shape() {
        return new MambaShape(layers, dModel, dState, expand, dtRank, dConv, paddedVocabSize);
    }

    public int dInner() {
        return expand * dModel;
    }

    /** A config with the usual defaults (d_state 16, d_conv 4, expand 2, dt_rank ceil(d_model/16)). */
    public static MambaConfig of(int dModel, int layers, int vocabSize) {
        return new MambaConfig(dModel, layers, vocabSize, vocabSize, 16, 4, 2,
                (dModel + 15) / 16, 1e-5, true, false, true);
    }

    public MambaConfig withState(int dState, int dConv, int expand) {
        return new MambaConfig(dModel, layers, vocabSize, paddedVocabSize, dState, dConv, expand, dtRank,
                normEps, tieEmbeddings, projBias, convBias);
    }

    public MambaConfig withTiedEmbeddings(boolean tied) {
        return new MambaConfig(dModel, layers, vocabSize, paddedVocabSize, dState, dConv, expand, dtRank,
                normEps, tied, projBias, convBias);
    }

    public MambaConfig withDtRank(int rank) {
        return new MambaConfig(dModel, layers, vocabSize, paddedVocabSize, dState, dConv, expand, rank,
                normEps, tieEmbeddings, projBias, convBias);
    }

    /** The embedding and lm_head padded to a multiple of {@code multiple} rows (pad_vocab_size_multiple). */
    public MambaConfig withVocabPaddedTo(int multiple) {
        return withPaddedVocab(Math.toIntExact(paddedVocab(vocabSize, multiple)));
    }

    /** {@code vocab} rounded up to a multiple of {@code multiple}: the one place the padding is computed. */
    public static long paddedVocab(long vocab, int multiple) {
        if (multiple < 1) {
            throw new IllegalArgumentException("pad_vocab_size_multiple must be >= 1, got " + multiple);
        }
        return (vocab + multiple - 1) / multiple * multiple;
    }

    public MambaConfig withPaddedVocab(int padded) {
        return new MambaConfig(dModel, layers, vocabSize, padded, dState, dConv, expand, dtRank,
                normEps, tieEmbeddings, projBias, convBias);
    }
}
