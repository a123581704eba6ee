package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * A probe, not a test (docs/BENCHMARKS.md section 6, "Where the batch-16 step's time goes"): on one
 * thread, how long the batched row kernel ({@link VectorDot#f32RowsBatch}) takes over a matrix far
 * larger than the caches, against its two parts timed apart — the bulk copies of the weights out of
 * memory alone, and the kernel alone over a matrix of the same row length that stays in cache. If the
 * whole takes the sum of its parts, the core streams the weights and computes one after the other.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp dtp-mamba/target/classes:dtp-mamba/target/test-classes \
 *     dev.dtp.mamba.decode.WeightStreamProbe ROWS COLS BATCH</pre>
 */
public final class WeightStreamProbe {
    private static final long ROUND_NANOS = 400_000_000L;
    private static final int CACHED_ROWS = 64;

    private WeightStreamProbe() {}

    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]);
        int cols = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        SplittableRandom random = new SplittableRandom(1);
        ByteBuffer big = matrix(rows, cols, random);
        ByteBuffer cached = matrix(CACHED_ROWS, cols, random);
        float[][] xs = new float[batch][cols];
        for (float[] x : xs) {
            for (int j = 0; j < cols; j++) {
                x[j] = (float) random.nextDouble(-1, 1);
            }
        }
        float[][] outs = new float[batch][rows];
        float[] block = new float[4 * cols];
        FloatBuffer floats = big.asFloatBuffer();
        for (int round = 0; round < 5; round++) {
            double whole = nanosPerRow(rows, () -> VectorDot.f32RowsBatch(big, cols, xs, outs, batch, 0, rows));
            double copy = nanosPerRow(rows, () -> {
                for (int r = 0; r + 3 < rows; r += 4) {
                    floats.get(r * cols, block, 0, 4 * cols);
                }
            });
            double compute = nanosPerRow(CACHED_ROWS, () -> VectorDot.f32RowsBatch(cached, cols, xs, outs, batch, 0, CACHED_ROWS));
            System.out.printf("%d x %d, batch %d, ns a row: whole %.1f, copies alone %.1f (%.1f GB/s), kernel in cache %.1f"
                    + " (%.1f GMAC/s); copies + kernel %.1f%n", rows, cols, batch, whole, copy, Float.BYTES * cols / copy,
                    compute, batch * cols / compute, copy + compute);
        }
    }

    private static ByteBuffer matrix(int rows, int cols, SplittableRandom random) {
        ByteBuffer m = ByteBuffer.allocateDirect(Math.multiplyExact(Float.BYTES * rows, cols)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < rows * cols; i++) {
            m.putFloat(Float.BYTES * i, (float) random.nextDouble(-0.5, 0.5));
        }
        return m;
    }

    private static double nanosPerRow(int rows, Runnable pass) {
        long start = System.nanoTime();
        long passes = 0;
        while (System.nanoTime() - start < ROUND_NANOS) {
            pass.run();
            passes++;
        }
        return (System.nanoTime() - start) / (double) passes / rows;
    }
}
