package dev.dtp.mamba.scan;

import ai.djl.ndarray.NDArray;

/**
 * Inputs of one layer's selective scan (batch of one), all float32 on one device.
 *
 * @param x conv output after SiLU, (L, d_inner)
 * @param delta Δ = softplus(dt_proj(dt) + bias), (L, d_inner)
 * @param a A = −exp(A_log), (d_inner, d_state)
 * @param b B, (L, d_state)
 * @param c C, (L, d_state)
 * @param d the skip D, (d_inner)
 * @param h0 initial state (d_inner, d_state), or null for zeros
 */
public record ScanInput(NDArray x, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray d, NDArray h0) {

    public int length() {
        return Math.toIntExact(x.getShape().get(0));
    }

    public int dInner() {
        return Math.toIntExact(x.getShape().get(1));
    }

    public int dState() {
        return Math.toIntExact(a.getShape().get(1));
    }
}
