package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;

/**
 * One layer's recurrent state for decoding.
 *
 * @param convState the last d_conv−1 conv inputs (d_conv−1, d_inner) of the sequence this layer's
 *     conv ran over (before the layer's own pruning)
 * @param ssmState h after the last token this layer's scan processed (d_inner, d_state)
 */
record LayerCache(NDArray convState, NDArray ssmState) {}
