package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of a float32 W times x with the Vector API, W read from native memory. Lane sums are added in a fixed
 * order (not {@code reduceLanes}, whose order the JIT may change), so a row's result never depends
 * on which thread or which compilation tier computed it.
 */
final class VectorDot {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** As many byte lanes as float lanes: one load of int8 quants widens to one float vector. */
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.length() * 8));
    /** Rotations by lanes/2, lanes/4, …, 1: the folds of {@link #lanesSum}. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private VectorDot() {}

    /**
     * out[r] = W[r]·x for r in [from, to), W float32 (rows, cols) row-major. Four rows at a time share
     * each load of x; every row has one accumulator over its column vectors in order, then its lanes
     * summed and the scalar tail added — the sum {@link #f32RowsBatch} forms too. Each block of four
     * rows is first bulk-copied onto the heap: on JDK 17 a vector load from a heap array costs less
     * than one from a {@code ByteBuffer}, enough that copy and heap loads together read the weights
     * 1.2–1.35× faster (docs/BENCHMARKS.md section 9); the order of every sum is unchanged.
     */
    static void f32Rows(ByteBuffer w, int cols, float[] x, float[] out, int from, int to) {
        FloatBuffer floats = w.asFloatBuffer();
        float[] block = new float[4 * cols];
        int r = from;
        for (; r + 3 < to; r += 4) {
            floats.get(r * cols, block, 0, 4 * cols);
            rowQuad(block, cols, x, out, r);
        }
        for (; r < to; r++) {
            floats.get(r * cols, block, 0, cols);
            out[r] = row(block, 0, cols, x);
        }
    }

    /** out[r … r + 3] = the four rows in {@code block} (row-major) times x. */
    private static void rowQuad(float[] block, int cols, float[] x, float[] out, int r) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        int b1 = cols;
        int b2 = 2 * cols;
        int b3 = 3 * cols;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        FloatVector a2 = FloatVector.zero(FLOATS);
        FloatVector a3 = FloatVector.zero(FLOATS);
        for (int j = 0; j < whole; j += lanes) {
            FloatVector xj = FloatVector.fromArray(FLOATS, x, j);
            a0 = FloatVector.fromArray(FLOATS, block, j).fma(xj, a0);
            a1 = FloatVector.fromArray(FLOATS, block, b1 + j).fma(xj, a1);
            a2 = FloatVector.fromArray(FLOATS, block, b2 + j).fma(xj, a2);
            a3 = FloatVector.fromArray(FLOATS, block, b3 + j).fma(xj, a3);
        }
        out[r] = tail(block, 0, x, whole, cols, lanesSum(a0));
        out[r + 1] = tail(block, b1, x, whole, cols, lanesSum(a1));
        out[r + 2] = tail(block, b2, x, whole, cols, lanesSum(a2));
        out[r + 3] = tail(block, b3, x, whole, cols, lanesSum(a3));
    }

    /** The row at {@code rows[at, at + cols)} times x: one accumulator, lanes summed, then the scalar tail. */
    private static float row(float[] rows, int at, int cols, float[] x) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        FloatVector a0 = FloatVector.zero(FLOATS);
        for (int j = 0; j < whole; j += lanes) {
            a0 = FloatVector.fromArray(FLOATS, rows, at + j).fma(FloatVector.fromArray(FLOATS, x, j), a0);
        }
        return tail(rows, at, x, whole, cols, lanesSum(a0));
    }

    /**
     * outs[b][r] = W[r]·xs[b] for rows r in [from, to) and sequences b in [0, batch): blocks of two
     * rows × four sequences (eight accumulators; each weight load serves four sequences, each x load
     * two rows), rows outermost, so the weights are read from memory once for the whole batch. Each
     * row pair is first copied onto the heap (one bulk copy), where the vector loads of the quads that
     * follow cost less than loads from native memory (at batch 4, 1.15× the step without the copy). Every
     * (row, sequence) sum is formed exactly as {@link #f32Rows} forms it, so a batched decode step
     * gives bit for bit the logits of one sequence at a time.
     */
    static void f32RowsBatch(ByteBuffer w, int cols, float[][] xs, float[][] outs, int batch, int from, int to) {
        if (batch == 1) { // a single vector: the four-row kernel over the whole range
            f32Rows(w, cols, xs[0], outs[0], from, to);
            return;
        }
        int quads = batch - batch % 4;
        FloatBuffer floats = w.asFloatBuffer();
        float[] pair = new float[2 * cols];
        float[] scratch = new float[FLOATS.length()];
        int r = from;
        for (; r + 1 < to; r += 2) {
            floats.get(r * cols, pair, 0, 2 * cols);
            for (int b = 0; b < quads; b += 4) {
                rowPairQuad(pair, xs, outs, b, r, cols, scratch);
            }
            for (int b = quads; b < batch; b++) {
                outs[b][r] = row(pair, 0, cols, xs[b]);
                outs[b][r + 1] = row(pair, cols, cols, xs[b]);
            }
        }
        if (r < to) { // an odd last row
            floats.get(r * cols, pair, 0, cols);
            for (int b = 0; b < batch; b++) {
                outs[b][r] = row(pair, 0, cols, xs[b]);
            }
        }
    }
    /**
     * Rows r and r + 1, copied onto the heap as {@code pair} = (row r, row r + 1), times sequences b … b + 3.
     * The eight lane sums go through {@code scratch} ({@link #lanesSum(FloatVector, float[])}, the same tree
     * as the rotations): in a JFR profile of the batch-16 step on JDK 17 the rotations' additions here took
     * 13 % of the step, and through scratch the batch-16 step ran 1.1× (float32) and 1.2× (int8) faster
     * (docs/BENCHMARKS.md section 6).
     */
    private static void rowPairQuad(float[] pair, float[][] xs, float[][] outs, int b, int r, int cols, float[] scratch) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        float[] x0 = xs[b];
        float[] x1 = xs[b + 1];
        float[] x2 = xs[b + 2];
        float[] x3 = xs[b + 3];
        FloatVector p0 = FloatVector.zero(FLOATS);
        FloatVector p1 = FloatVector.zero(FLOATS);
        FloatVector p2 = FloatVector.zero(FLOATS);
        FloatVector p3 = FloatVector.zero(FLOATS);
        FloatVector q0 = FloatVector.zero(FLOATS);
        FloatVector q1 = FloatVector.zero(FLOATS);
        FloatVector q2 = FloatVector.zero(FLOATS);
        FloatVector q3 = FloatVector.zero(FLOATS);
        for (int j = 0; j < whole; j += lanes) {
            FloatVector wp = FloatVector.fromArray(FLOATS, pair, j);
            FloatVector wq = FloatVector.fromArray(FLOATS, pair, cols + j);
            FloatVector v = FloatVector.fromArray(FLOATS, x0, j);
            p0 = wp.fma(v, p0);
            q0 = wq.fma(v, q0);
            v = FloatVector.fromArray(FLOATS, x1, j);
            p1 = wp.fma(v, p1);
            q1 = wq.fma(v, q1);
            v = FloatVector.fromArray(FLOATS, x2, j);
            p2 = wp.fma(v, p2);
            q2 = wq.fma(v, q2);
            v = FloatVector.fromArray(FLOATS, x3, j);
            p3 = wp.fma(v, p3);
            q3 = wq.fma(v, q3);
        }
        outs[b][r] = tail(pair, 0, x0, whole, cols, lanesSum(p0, scratch));
        outs[b + 1][r] = tail(pair, 0, x1, whole, cols, lanesSum(p1, scratch));
        outs[b + 2][r] = tail(pair, 0, x2, whole, cols, lanesSum(p2, scratch));
        outs[b + 3][r] = tail(pair, 0, x3, whole, cols, lanesSum(p3, scratch));
        outs[b][r + 1] = tail(pair, cols, x0, whole, cols, lanesSum(q0, scratch));
        outs[b + 1][r + 1] = tail(pair, cols, x1, whole, cols, lanesSum(q1, scratch));
        outs[b + 2][r + 1] = tail(pair, cols, x2, whole, cols, lanesSum(q2, scratch));
        outs[b + 3][r + 1] = tail(pair, cols, x3, whole, cols, lanesSum(q3, scratch));
    }

    /** {@code s} plus row·x over the scalar tail [whole, cols), the row at {@code row[at, at + cols)}. */
    private static float tail(float[] row, int at, float[] x, int whole, int cols, float s) {
        for (int j = whole; j < cols; j++) {
            s += row[at + j] * x[j];
        }
        return s;
    }

    /**
     * The lanes of {@code v} added as a fixed tree: v + v rotated by half the lanes, then by a quarter,
     * … (lane-wise IEEE additions, so every compilation tier gives the same sum; {@code reduceLanes}
     * leaves its order to the implementation).
     */
    static float lanesSum(FloatVector v) {
        FloatVector s = v;
        for (VectorShuffle<Float> fold : FOLDS) {
            s = s.add(s.rearrange(fold));
        }
        return s.lane(0);
    }

    /**
     * {@link #lanesSum(FloatVector)} through memory: the same tree (lane i plus lane i + lanes/2, then
     * a quarter, …), so bit for bit the same sum, formed in scalar registers after one store into
     * {@code scratch} (at least a vector long). Where a sum is needed per channel rather than per
     * block of rows, this costs about a third less than the rotations (the scan step; scratch timings
     * in docs/BENCHMARKS.md section 6), and the batch row kernels (eight or four sums per block of rows;
     * 1.1× at batch 16 in float32, 1.2× in int8, same section). The single-vector row kernels keep the
     * rotations: there it gave no gain.
     */
    static float lanesSum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float[] t = scratch;
        if (FLOATS.length() == 16) {
            float s0 = t[0] + t[8];
            float s1 = t[1] + t[9];
            float s2 = t[2] + t[10];
            float s3 = t[3] + t[11];
            float s4 = t[4] + t[12];
            float s5 = t[5] + t[13];
            float s6 = t[6] + t[14];
            float s7 = t[7] + t[15];
            s0 += s4;
            s1 += s5;
            s2 += s6;
            s3 += s7;
            s0 += s2;
            s1 += s3;
            return s0 + s1;
        }
        if (FLOATS.length() == 8) {
            float s0 = t[0] + t[4];
            float s1 = t[1] + t[5];
            float s2 = t[2] + t[6];
            float s3 = t[3] + t[7];
            s0 += s2;
            s1 += s3;
            return s0 + s1;
        }
        return lanesSum(v);
    }

    private static VectorShuffle<Float>[] folds() {
        int lanes = FLOATS.length();
        @SuppressWarnings("unchecked")
        VectorShuffle<Float>[] folds = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        for (int i = 0, half = lanes / 2; half > 0; i++, half /= 2) {
            int by = half;
            folds[i] = VectorShuffle.fromOp(FLOATS, lane -> (lane + by) % lanes);
        }
        return folds;
    }
}
