package dev.dtp.mamba.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.VectorApi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * The causal depthwise conv1d and its SiLU fused in one pass over the sequence on the CPU, reading
 * the conv input and writing the output in libtorch's memory (the NDArray path of
 * {@link CausalConv} makes about ten passes). Rows are independent, so blocks of rows run in
 * parallel.
 */
final class CpuConv {
    private static final int MIN_ELEMENTS_PER_TASK = 1 << 16;
    private static final boolean VECTOR = vectorApiPresent();

    private CpuConv() {}

    private static boolean vectorApiPresent() {
        try {
            return VectorApi.usable() && VectorConvLoop.lanes() > 1;
        } catch (LinkageError e) {
            return false;
        }
    }

    static boolean supports(NDArray x) {
        return Device.Type.CPU.equals(x.getDevice().getDeviceType()) && x.getDataType() == DataType.FLOAT32;
    }

    /**
     * SiLU(bias + Σ_k w[d,k] · x[t−(K−1)+k, d]) for every row t; rows before the sequence are zeros.
     */
    static NDArray convSilu(NDArray x, float[] w, float[] b) {
        return convSilu(x, null, w, b);
    }

    /**
     * As {@link #convSilu(NDArray, float[], float[])}, with the rows before the sequence taken from
     * {@code history} (the previous K−1 conv inputs, row-major (K−1, d_inner)) when it is not null:
     * a chunk continuing a saved state.
     *
     * @param x conv input (L, d_inner), float32 on the CPU
     * @param w conv weight transposed, (K, d_inner) row-major, on the heap
     * @param b conv bias (d_inner), zeros when the model has none
     */
    static NDArray convSilu(NDArray x, float[] history, float[] w, float[] b) {
        int length = Math.toIntExact(x.getShape().get(0));
        int dInner = Math.toIntExact(x.getShape().get(1));
        int kernel = w.length / dInner;
        NDManager manager = x.getManager();
        NDArray out = manager.create(new Shape(length, dInner), DataType.FLOAT32);
        ByteBuffer in = x.toByteBuffer(true).order(ByteOrder.nativeOrder());
        ByteBuffer target = out.toByteBuffer(true).order(ByteOrder.nativeOrder());
        // one task per core, fewer when the work is too small to be worth a hand-off
        int cores = Runtime.getRuntime().availableProcessors();
        int tasks = (int) Math.max(1, Math.min(cores, (long) length * dInner / MIN_ELEMENTS_PER_TASK));
        int rowsPerTask = (length + tasks - 1) / tasks;
        IntStream range = IntStream.range(0, tasks);
        (tasks > 1 ? range.parallel() : range).forEach(task -> {
            int from = task * rowsPerTask;
            int to = Math.min(length, from + rowsPerTask);
            // the first K−1 rows of the sequence read padding: plain Java; the rest vectorised
            int full = Math.min(to, Math.max(from, kernel - 1));
            scalarRows(in, history, target, w, b, dInner, kernel, from, full, 0);
            if (full < to) {
                int scalarFrom = VECTOR ? VectorConvLoop.run(in, target, w, b, dInner, kernel, full, to) : 0;
                scalarRows(in, null, target, w, b, dInner, kernel, full, to, scalarFrom);
            }
        });
        return out;
    }

    /**
     * Rows [from, to), channels [channelFrom, d_inner), in plain Java; taps before row 0 read
     * {@code history} ((K−1, d_inner), its last row just before row 0) or zeros when it is null.
     */
    static void scalarRows(ByteBuffer in, float[] history, ByteBuffer out, float[] w, float[] b, int dInner, int kernel,
            int from, int to, int channelFrom) {
        for (int t = from; t < to; t++) {
            for (int d = channelFrom; d < dInner; d++) {
                float acc = b[d];
                for (int k = 0; k < kernel; k++) {
                    int src = t - (kernel - 1) + k;
                    if (src >= 0) {
                        acc += w[k * dInner + d] * in.getFloat(4 * (src * dInner + d));
                    } else if (history != null) {
                        acc += w[k * dInner + d] * history[(kernel - 1 + src) * dInner + d];
                    }
                }
                out.putFloat(4 * (t * dInner + d), acc / (1 + (float) Math.exp(-acc))); // SiLU
            }
        }
    }
}
