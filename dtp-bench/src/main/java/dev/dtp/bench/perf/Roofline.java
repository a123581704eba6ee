package dev.dtp.bench.perf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.decode.ReadBandwidth;
import java.util.Arrays;

/**
 * What this machine can do at best, measured with libtorch in the same run as a benchmark: the
 * fp32 GEMM time of a prefill's projections and the memory read bandwidth. Benchmarks report
 * their figures as a fraction of these limits, so a noisy machine affects both sides alike.
 */
public final class Roofline {
    private Roofline() {}

    /** Projection FLOPs of one token through one layer (2 per multiply-accumulate). */
    public static double projectionFlopsPerTokenPerLayer(MambaConfig c) {
        long dm = c.dModel();
        long di = c.dInner();
        long macs = dm * 2 * di // in_proj
                + di * (c.dtRank() + 2L * c.dState()) // x_proj
                + (long) c.dtRank() * di // dt_proj
                + di * dm; // out_proj
        return 2.0 * macs;
    }

    /**
     * Median seconds for the four projections of one layer on {@code tokens} tokens, each
     * run as y = x Wᵀ exactly as the model runs it.
     */
    public static double projectionSeconds(NDManager manager, MambaConfig c, int tokens, int repeats) {
        int dm = c.dModel();
        int di = c.dInner();
        int r = c.dtRank();
        int n = c.dState();
        try (NDManager m = manager.newSubManager()) {
            NDArray h = m.randomNormal(new Shape(tokens, dm));
            NDArray inProj = m.randomNormal(new Shape(2L * di, dm));
            NDArray x = m.randomNormal(new Shape(tokens, di));
            NDArray xProj = m.randomNormal(new Shape(r + 2L * n, di));
            NDArray dt = m.randomNormal(new Shape(tokens, r));
            NDArray dtProj = m.randomNormal(new Shape(di, r));
            NDArray outProj = m.randomNormal(new Shape(dm, di));
            double[] times = new double[repeats];
            for (int i = -2; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (NDArray a = Linear.linear(h, inProj).singletonOrThrow();
                        NDArray b = Linear.linear(x, xProj).singletonOrThrow();
                        NDArray d = Linear.linear(dt, dtProj).singletonOrThrow();
                        NDArray e = Linear.linear(x, outProj).singletonOrThrow()) {
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        times[i] = (t1 - t0) / 1e9;
                    }
                }
            }
            return median(times);
        }
    }

    /**
     * Memory read bandwidth as the fused decode step reads weights ({@link ReadBandwidth}), on a
     * libtorch buffer of {@code bytes} (capped at 1 GiB, far beyond any cache), written before it is
     * read.
     */
    public static double readBytesPerSecond(NDManager manager, double bytes, int repeats) {
        long floats = (long) Math.min(bytes, 1 << 30) / Float.BYTES;
        try (NDManager m = manager.newSubManager();
                NDArray buffer = m.ones(new Shape(Math.max(floats, 1 << 16)))) {
            return ReadBandwidth.bytesPerSecond(buffer.toByteBuffer(true), repeats);
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
