package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A probe, not a test (docs/BENCHMARKS.md section 6, "Weights in panels"): the batched row kernel
 * ({@link VectorDot#f32RowsBatch}, weights in native memory, block copies onto the heap) against the
 * panel kernel over a heap copy of the same matrix ({@link F32Panels}), on one matrix far larger than
 * the caches, sixteen sequences (or BATCH), one or more threads; it also counts the sums that differ between
 * the two (none should).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp dtp-mamba/target/classes:dtp-mamba/target/test-classes \
 *     dev.dtp.mamba.decode.PanelLayoutProbe ROWS COLS THREADS</pre>
 *
 * ROWS a multiple of twice the lanes, COLS of the lanes.
 */
public final class PanelLayoutProbe {
    private static int batch = 16;
    private static final long ROUND_NANOS = 600_000_000L;

    private PanelLayoutProbe() {}

    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        int cols = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        SplittableRandom random = new SplittableRandom(1);
        ByteBuffer w = ByteBuffer.allocateDirect(Math.multiplyExact(Float.BYTES * rows, cols)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < rows * cols; i++) {
            w.putFloat(Float.BYTES * i, (float) random.nextDouble(-0.5, 0.5));
        }
        float[][] xs = new float[batch][cols];
        for (float[] x : xs) {
            for (int j = 0; j < cols; j++) {
                x[j] = (float) random.nextDouble(-1, 1);
            }
        }
        F32Panels panels = F32Panels.of(w, rows, cols);
        BatchVectors in = panels.columns(xs, batch);
        float[][] byRows = new float[batch][rows];
        float[][] byPanels = new float[batch][rows];
        VectorDot.f32RowsBatch(w, cols, xs, byRows, batch, 0, rows);
        panels.multiply(w, in, byPanels, 0, panels.count());
        long mismatches = 0;
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                mismatches += Float.floatToIntBits(byRows[b][r]) == Float.floatToIntBits(byPanels[b][r]) ? 0 : 1;
            }
        }
        System.out.printf("%d x %d, batch %d, %d thread(s): %d of %d sums differ from the rows kernel's%n", rows, cols, batch,
                threads, mismatches, (long) rows * batch);
        int pairs = panels.count() / 2;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 6; round++) {
            double rowKernel = nanosPerRow(rows, threads, pool, t ->
                    VectorDot.f32RowsBatch(w, cols, xs, byRows, batch, rows * t / threads, rows * (t + 1) / threads));
            double panelKernel = nanosPerRow(rows, threads, pool, t ->
                    panels.multiply(w, in, byPanels, 2 * (pairs * t / threads), 2 * (pairs * (t + 1) / threads)));
            System.out.printf("ns a row: rows kernel %.1f (%.1f GMAC/s), panels %.1f (%.1f GMAC/s), rows ÷ panels %.2f%n",
                    rowKernel, batch * cols / rowKernel, panelKernel, batch * cols / panelKernel, rowKernel / panelKernel);
        }
        pool.shutdown();
    }

    private interface Part {
        void run(int thread);
    }

    private static double nanosPerRow(int rows, int threads, ExecutorService pool, Part part) throws Exception {
        long start = System.nanoTime();
        long passes = 0;
        while (System.nanoTime() - start < ROUND_NANOS) {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 1; t < threads; t++) {
                int thread = t;
                parts.add(pool.submit(() -> part.run(thread)));
            }
            part.run(0);
            for (Future<?> f : parts) {
                f.get();
            }
            passes++;
        }
        return (System.nanoTime() - start) / (double) passes / rows;
    }
}
