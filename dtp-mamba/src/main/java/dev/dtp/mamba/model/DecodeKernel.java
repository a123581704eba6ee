package dev.dtp.mamba.model;

/** How a {@link MambaSession} advances its sequence by one token. */
public enum DecodeKernel {
    /**
     * The fused CPU step ({@link dev.dtp.mamba.decode.FusedStep}): a few passes over the weights'
     * memory per layer, rows split over the cores. The default on the CPU.
     */
    FUSED,
    /** The block's readable NDArray step ({@code MambaBlock.step}): every device; the reference for the fused one. */
    NDARRAY
}
