package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A probe, not a test (docs/BENCHMARKS.md section 6, "Weights in panels"): the batched row kernel
 * ({@link VectorDot#f32RowsBatch}, weights in native memory, block copies onto the heap) against a
 * kernel over a second, heap-resident copy of W laid out in panels of one vector of rows, so that no
 * lane sums and no block copies are needed and the hardware prefetcher can stream the panels while
 * the core computes. Each lane of a panel vector is a row; for residue m of the column index (k mod
 * lanes) and chunk c, the panel holds W[rows][c·lanes + m] at position m·C + c, so one residue's
 * partial sums over the chunks are one pass in order over memory. The partial sums are the very ones
 * {@link VectorDot#f32Rows} forms in its lanes, and a vertical tree of the same shape as its lane
 * fold adds them, so every result is the rows kernel's bit for bit (the probe counts mismatches).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp dtp-mamba/target/classes:dtp-mamba/target/test-classes \
 *     dev.dtp.mamba.decode.PanelLayoutProbe ROWS COLS THREADS</pre>
 *
 * ROWS a multiple of twice the lanes, COLS of the lanes; sixteen sequences.
 */
public final class PanelLayoutProbe {
    private static final VectorSpecies<Float> FLOATS = VectorDot.FLOATS;
    private static final int LANES = FLOATS.length();
    private static final int BATCH = 16;
    private static final int SEQUENCES = 8; // per kernel call: 2 panels × 8 sequences = 16 accumulators
    private static final long ROUND_NANOS = 600_000_000L;

    private PanelLayoutProbe() {}

    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        int cols = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        SplittableRandom random = new SplittableRandom(1);
        ByteBuffer w = ByteBuffer.allocateDirect(Math.multiplyExact(Float.BYTES * rows, cols)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < rows * cols; i++) {
            w.putFloat(Float.BYTES * i, (float) random.nextDouble(-0.5, 0.5));
        }
        float[][] xs = new float[BATCH][cols];
        for (float[] x : xs) {
            for (int j = 0; j < cols; j++) {
                x[j] = (float) random.nextDouble(-1, 1);
            }
        }
        float[] panels = panels(w, rows, cols);
        float[] xt = transposed(xs, cols);
        float[][] byRows = new float[BATCH][rows];
        float[][] byPanels = new float[BATCH][rows];
        VectorDot.f32RowsBatch(w, cols, xs, byRows, BATCH, 0, rows);
        panelPairs(panels, cols, xt, byPanels, 0, rows / LANES);
        long mismatches = 0;
        for (int b = 0; b < BATCH; b++) {
            for (int r = 0; r < rows; r++) {
                mismatches += Float.floatToIntBits(byRows[b][r]) == Float.floatToIntBits(byPanels[b][r]) ? 0 : 1;
            }
        }
        System.out.printf("%d x %d, batch %d, %d thread(s): %d of %d sums differ from the rows kernel's%n", rows, cols, BATCH,
                threads, mismatches, (long) rows * BATCH);
        int pairs = rows / (2 * LANES);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 6; round++) {
            double rowKernel = nanosPerRow(rows, threads, pool, t ->
                    VectorDot.f32RowsBatch(w, cols, xs, byRows, BATCH, rows * t / threads, rows * (t + 1) / threads));
            double panelKernel = nanosPerRow(rows, threads, pool, t ->
                    panelPairs(panels, cols, xt, byPanels, 2 * (pairs * t / threads), 2 * (pairs * (t + 1) / threads)));
            System.out.printf("ns a row: rows kernel %.1f (%.1f GMAC/s), panels %.1f (%.1f GMAC/s), rows ÷ panels %.2f%n",
                    rowKernel, BATCH * cols / rowKernel, panelKernel, BATCH * cols / panelKernel, rowKernel / panelKernel);
        }
        pool.shutdown();
    }

    /** panels[p·lanes·cols + (m·C + c)·lanes + i] = W[p·lanes + i][c·lanes + m], C = cols / lanes. */
    static float[] panels(ByteBuffer w, int rows, int cols) {
        int chunks = cols / LANES;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int p = r / LANES;
            for (int k = 0; k < cols; k++) {
                out[p * LANES * cols + ((k % LANES) * chunks + k / LANES) * LANES + r % LANES] = w.getFloat(Float.BYTES * (r * cols + k));
            }
        }
        return out;
    }

    /** xt[(m·C + c)·B + b] = xs[b][c·lanes + m]: the sequences' values of one column side by side, in panel order. */
    static float[] transposed(float[][] xs, int cols) {
        int chunks = cols / LANES;
        float[] xt = new float[BATCH * cols];
        for (int b = 0; b < BATCH; b++) {
            for (int k = 0; k < cols; k++) {
                xt[((k % LANES) * chunks + k / LANES) * BATCH + b] = xs[b][k];
            }
        }
        return xt;
    }

    /** Panels [from, to) (an even count) times the sixteen sequences, two panels × eight sequences at a time. */
    static void panelPairs(float[] panels, int cols, float[] xt, float[][] outs, int from, int to) {
        int chunks = cols / LANES;
        int panel = LANES * cols;
        float[] partials = new float[LANES * 2 * SEQUENCES * LANES]; // (residue m, accumulator) → one vector
        for (int p = from; p < to; p += 2) {
            for (int b = 0; b < BATCH; b += SEQUENCES) {
                for (int m = 0; m < LANES; m++) {
                    residue(panels, p * panel + m * chunks * LANES, (p + 1) * panel + m * chunks * LANES, xt,
                            m * chunks * BATCH + b, chunks, partials, m * 2 * SEQUENCES * LANES);
                }
                for (int a = 0; a < 2 * SEQUENCES; a++) {
                    fold(partials, a).intoArray(outs[b + a % SEQUENCES], (p + a / SEQUENCES) * LANES);
                }
            }
        }
    }

    /**
     * One residue's partial sums for two panels × eight sequences: sixteen FMA chains over the chunks in
     * order (each lane the chain {@link VectorDot#f32Rows} forms in that lane), stored into {@code partials}.
     */
    private static void residue(float[] panels, int p0, int p1, float[] xt, int x0, int chunks, float[] partials, int at) {
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        FloatVector a2 = FloatVector.zero(FLOATS);
        FloatVector a3 = FloatVector.zero(FLOATS);
        FloatVector a4 = FloatVector.zero(FLOATS);
        FloatVector a5 = FloatVector.zero(FLOATS);
        FloatVector a6 = FloatVector.zero(FLOATS);
        FloatVector a7 = FloatVector.zero(FLOATS);
        FloatVector b0 = FloatVector.zero(FLOATS);
        FloatVector b1 = FloatVector.zero(FLOATS);
        FloatVector b2 = FloatVector.zero(FLOATS);
        FloatVector b3 = FloatVector.zero(FLOATS);
        FloatVector b4 = FloatVector.zero(FLOATS);
        FloatVector b5 = FloatVector.zero(FLOATS);
        FloatVector b6 = FloatVector.zero(FLOATS);
        FloatVector b7 = FloatVector.zero(FLOATS);
        for (int c = 0; c < chunks; c++) {
            FloatVector u = FloatVector.fromArray(FLOATS, panels, p0 + c * LANES);
            FloatVector v = FloatVector.fromArray(FLOATS, panels, p1 + c * LANES);
            int x = x0 + c * BATCH;
            FloatVector s = FloatVector.broadcast(FLOATS, xt[x]);
            a0 = u.fma(s, a0);
            b0 = v.fma(s, b0);
            s = FloatVector.broadcast(FLOATS, xt[x + 1]);
            a1 = u.fma(s, a1);
            b1 = v.fma(s, b1);
            s = FloatVector.broadcast(FLOATS, xt[x + 2]);
            a2 = u.fma(s, a2);
            b2 = v.fma(s, b2);
            s = FloatVector.broadcast(FLOATS, xt[x + 3]);
            a3 = u.fma(s, a3);
            b3 = v.fma(s, b3);
            s = FloatVector.broadcast(FLOATS, xt[x + 4]);
            a4 = u.fma(s, a4);
            b4 = v.fma(s, b4);
            s = FloatVector.broadcast(FLOATS, xt[x + 5]);
            a5 = u.fma(s, a5);
            b5 = v.fma(s, b5);
            s = FloatVector.broadcast(FLOATS, xt[x + 6]);
            a6 = u.fma(s, a6);
            b6 = v.fma(s, b6);
            s = FloatVector.broadcast(FLOATS, xt[x + 7]);
            a7 = u.fma(s, a7);
            b7 = v.fma(s, b7);
        }
        a0.intoArray(partials, at + 0 * LANES);
        a1.intoArray(partials, at + 1 * LANES);
        a2.intoArray(partials, at + 2 * LANES);
        a3.intoArray(partials, at + 3 * LANES);
        a4.intoArray(partials, at + 4 * LANES);
        a5.intoArray(partials, at + 5 * LANES);
        a6.intoArray(partials, at + 6 * LANES);
        a7.intoArray(partials, at + 7 * LANES);
        b0.intoArray(partials, at + 8 * LANES);
        b1.intoArray(partials, at + 9 * LANES);
        b2.intoArray(partials, at + 10 * LANES);
        b3.intoArray(partials, at + 11 * LANES);
        b4.intoArray(partials, at + 12 * LANES);
        b5.intoArray(partials, at + 13 * LANES);
        b6.intoArray(partials, at + 14 * LANES);
        b7.intoArray(partials, at + 15 * LANES);
    }

    /** Accumulator a's partial sums over the residues added as lanesSum's fold: m + m + lanes/2, then a quarter, …. */
    private static FloatVector fold(float[] partials, int a) {
        if (LANES == 16) {
            FloatVector u0 = at(partials, a, 0).add(at(partials, a, 8));
            FloatVector u1 = at(partials, a, 1).add(at(partials, a, 9));
            FloatVector u2 = at(partials, a, 2).add(at(partials, a, 10));
            FloatVector u3 = at(partials, a, 3).add(at(partials, a, 11));
            FloatVector u4 = at(partials, a, 4).add(at(partials, a, 12));
            FloatVector u5 = at(partials, a, 5).add(at(partials, a, 13));
            FloatVector u6 = at(partials, a, 6).add(at(partials, a, 14));
            FloatVector u7 = at(partials, a, 7).add(at(partials, a, 15));
            return u0.add(u4).add(u2.add(u6)).add(u1.add(u5).add(u3.add(u7)));
        }
        if (LANES == 8) {
            FloatVector u0 = at(partials, a, 0).add(at(partials, a, 4));
            FloatVector u1 = at(partials, a, 1).add(at(partials, a, 5));
            FloatVector u2 = at(partials, a, 2).add(at(partials, a, 6));
            FloatVector u3 = at(partials, a, 3).add(at(partials, a, 7));
            return u0.add(u2).add(u1.add(u3));
        }
        throw new IllegalStateException("the probe folds 8 or 16 lanes, not " + LANES);
    }

    private static FloatVector at(float[] partials, int a, int m) {
        return FloatVector.fromArray(FLOATS, partials, (m * 2 * SEQUENCES + a) * LANES);
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
