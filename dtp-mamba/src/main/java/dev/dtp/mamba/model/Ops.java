package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * The few tensor operations a Mamba block is made of. Every result lives in the manager of the
 * first (activation) argument, never in the weights' manager.
 */
final class Ops {
    private Ops() {}

    /** RMSNorm: x / sqrt(mean(x², last axis) + eps) ⊙ w. x: (L, d_model). */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        try (NDArray ms = x.square().mean(new int[] {-1}, true);
                NDArray inv = ms.add(eps).pow(-0.5f);
                NDArray normed = x.mul(inv)) {
            return normed.mul(weight);
        }
    }

    /** y = x Wᵀ + b with W of shape (out, in). */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** SiLU(x) = x · σ(x). */
    static NDArray silu(NDArray x) {
        try (NDArray s = Activation.sigmoid(x)) {
            return x.mul(s);
        }
    }

    static NDArray softplus(NDArray x) {
        return Activation.softPlus(x);
    }

    /** Columns [from, to) of a 2-D array. */
    static NDArray columns(NDArray x, long from, long to) {
        return x.get(new NDIndex(":, {}:{}", from, to));
    }

    /** Rows [from, to) of a 2-D array. */
    static NDArray rows(NDArray x, long from, long to) {
        return x.get(new NDIndex("{}:{}", from, to));
    }

    /** Rows at the given indices, in order. */
    static NDArray gatherRows(NDArray x, NDArray indices) {
        return x.get(new NDIndex("{}", indices));
    }
}
