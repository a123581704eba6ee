/**
 * The selective scan of Eq. 2, h_t = exp(Δ_t A) h_{t−1} + Δ_t B_t x_t, y_t = C_t·h_t + D x_t: a
 * vectorised CPU kernel, an NDArray kernel for any device, and a reference.
 */
package dev.dtp.mamba.scan;
