package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;

/**
 * One Mamba block's parameters, in the compute dtype, shapes as in the checkpoint except where
 * noted.
 *
 * @param norm RMSNorm weight (d_model)
 * @param inProj in_proj.weight (2·d_inner, d_model)
 * @param inProjBias (2·d_inner) or null
 * @param convWeight conv1d.weight reshaped to (d_inner, d_conv)
 * @param convBias (d_inner) or null
 * @param xProj x_proj.weight (dt_rank + 2·d_state, d_inner)
 * @param dtProj dt_proj.weight (d_inner, dt_rank)
 * @param dtProjBias dt_proj.bias (d_inner)
 * @param aLog A_log (d_inner, d_state); A = −exp(A_log)
 * @param d D (d_inner)
 * @param outProj out_proj.weight (d_model, d_inner)
 * @param outProjBias (d_model) or null
 */
public record LayerWeights(
        NDArray norm,
        NDArray inProj,
        NDArray inProjBias,
        NDArray convWeight,
        NDArray convBias,
        NDArray xProj,
        NDArray dtProj,
        NDArray dtProjBias,
        NDArray aLog,
        NDArray d,
        NDArray outProj,
        NDArray outProjBias) {}
