package dev.dtp.mamba.scan;

import ai.djl.Device;

/**
 * The selective scan of Eq. 2 with the zero-order-hold Ā and the usual simplification
 * B̄_t = Δ_t B_t:
 *
 * <pre>
 *   h_t = exp(Δ_t A) ⊙ h_{t−1} + Δ_t B_t x_t        (per channel d: state of size N)
 *   y_t = C_t · h_t + D x_t
 * </pre>
 *
 * Implementations allocate their outputs in {@code input.x().getManager()} and never modify their
 * inputs. They are stateless and thread-safe.
 */
public interface SelectiveScan {

    String name();

    /** True when the kernel can run on arrays on {@code device}. */
    boolean supports(Device device);

    /** True when gradients flow through the kernel under DJL's autograd. */
    boolean differentiable();

    ScanOutput scan(ScanInput input);
}
