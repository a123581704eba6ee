package dev.dtp.mamba.scan;

import ai.djl.ndarray.NDArray;

/**
 * @param y y_t = C_t·h_t + D·x_t, (L, d_inner)
 * @param state h_L, (d_inner, d_state): the state after the last step, for decoding
 */
public record ScanOutput(NDArray y, NDArray state) {}
