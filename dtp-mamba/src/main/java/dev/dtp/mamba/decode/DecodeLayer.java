package dev.dtp.mamba.decode;

/**
 * One Mamba block's weights as the fused decode step reads them: the matrices as views of their
 * memory, the small vectors on the heap.
 *
 * @param norm RMSNorm weight (d_model)
 * @param inProj in_proj (2·d_inner, d_model): rows [0, d_inner) give x, the rest z
 * @param inProjBias (2·d_inner) or null
 * @param convWeightT conv1d weight transposed, (d_conv, d_inner) row-major: tap k is row k
 * @param convBias (d_inner), zeros when the model has none
 * @param xProj x_proj (dt_rank + 2·d_state, d_inner)
 * @param dtProj dt_proj (d_inner, dt_rank), stored column by column
 * @param dtProjBias (d_inner)
 * @param a A = −exp(A_log), (d_inner, d_state) row-major, on the heap (vector loads from native memory cost more)
 * @param d the skip D (d_inner)
 * @param outProj out_proj (d_model, d_inner)
 * @param outProjBias (d_model) or null
 */
public record DecodeLayer(float[] norm, RowMatrix inProj, float[] inProjBias, float[] convWeightT, float[] convBias,
        RowMatrix xProj, DeltaProjection dtProj, float[] dtProjBias, float[] a, float[] d, RowMatrix outProj,
        float[] outProjBias) {

    /** Weight bytes one decode step reads in this layer. */
    public long bytes() {
        long n = inProj.bytes() + xProj.bytes() + dtProj.bytes() + outProj.bytes() + (long) Float.BYTES * a.length;
        n += Float.BYTES * ((long) norm.length + convWeightT.length + convBias.length + dtProjBias.length + d.length);
        n += Float.BYTES * ((inProjBias == null ? 0L : inProjBias.length) + (outProjBias == null ? 0L : outProjBias.length));
        return n;
    }
}
