package dev.dtp.core.flops;

/**
 * The sizes of a Mamba language model that determine its compute.
 *
 * @param vocabSize rows of lm_head (padded vocabulary)
 */
public record MambaShape(int layers, int dModel, int dState, int expand, int dtRank, int dConv, int vocabSize) {
    public MambaShape {
        if (layers <= 0 || dModel <= 0 || dState <= 0 || expand <= 0 || dtRank <= 0 || dConv <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("every Mamba size must be positive: " + this);
        }
    }

    public int dInner() {
        return expand * dModel;
    }

    /** The usual defaults (d_state 16, expand 2, d_conv 4, dt_rank = ceil(d_model / 16)). */
    public static MambaShape of(int layers, int dModel, int vocabSize) {
        return new MambaShape(layers, dModel, 16, 2, (dModel + 15) / 16, 4, vocabSize);
    }
}
