package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Mamba's causal depthwise conv1d over time: out[t,d] = bias[d] + Σ_k w[d,k]·x[t−(K−1)+k, d], where
 * positions before the sequence come from the conv cache (zeros at the start of a prefill).
 */
final class CausalConv {
    private CausalConv() {}

    /**
     * @param x conv input (L, d_inner)
     * @param history the previous K−1 inputs (K−1, d_inner), or null for zeros
     * @param weightT the conv weight transposed, (K, d_inner)
     * @param bias (d_inner) or null
     * @return (L, d_inner)
     */
    static NDArray apply(NDArray x, NDArray history, NDArray weightT, NDArray bias) {
        long length = x.getShape().get(0);
        long dInner = x.getShape().get(1);
        int kernel = Math.toIntExact(weightT.getShape().get(0));
        NDArray padded = withHistory(x, history, kernel);
        NDArray out = null;
        for (int k = 0; k < kernel; k++) {
            try (NDArray window = Ops.rows(padded, k, k + length);
                    NDArray tap = Ops.rows(weightT, k, k + 1);
                    NDArray term = window.mul(tap)) {
                if (out == null) {
                    out = term.duplicate();
                } else {
                    out.addi(term);
                }
            }
        }
        if (bias != null) {
            out.addi(bias);
        }
        if (padded != x) {
            padded.close();
        }
        return out.reshape(new Shape(length, dInner));
    }

    /** The last K−1 conv inputs of a sequence that ends with {@code x}: the decoding cache. */
    static NDArray tail(NDArray x, NDArray history, int kernel) {
        long length = x.getShape().get(0);
        if (length >= kernel - 1) { // the last K−1 rows; the history matters only to a chunk shorter than that
            return Ops.rows(x, length - (kernel - 1), length).duplicate();
        }
        NDArray padded = withHistory(x, history, kernel);
        long rows = padded.getShape().get(0);
        NDArray tail = Ops.rows(padded, rows - (kernel - 1), rows).duplicate();
        if (padded != x) {
            padded.close();
        }
        return tail;
    }

    private static NDArray withHistory(NDArray x, NDArray history, int kernel) {
        if (kernel == 1) {
            return x;
        }
        NDArray front = history != null
                ? history
                : x.getManager().zeros(new Shape(kernel - 1, x.getShape().get(1)), DataType.FLOAT32, x.getDevice());
        NDArray padded = NDArrays.concat(new NDList(front, x), 0);
        padded.attach(x.getManager()); // concat lands in the first operand's (cache) manager
        if (history == null) {
            front.close();
        }
        return padded;
    }
}
