package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Rotations by lanes/2, lanes/4, …, 1: the folds of {@link #lanesSum}. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private VectorDot() {}

    /**
     * out[r] = W[r]·x for r in [from, to), W float32 (rows, cols) row-major. Four rows at a time share
     * each load of x; every row has one accumulator over its column vectors in order, then its lanes
     * summed and the scalar tail added — the sum {@link #f32RowsBatch} forms too.
     */
    static void f32Rows(ByteBuffer w, int cols, float[] x, float[] out, int from, int to) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        int r = from;
        for (; r + 3 < to; r += 4) {
            int b0 = Float.BYTES * r * cols;
            int b1 = b0 + Float.BYTES * cols;
            int b2 = b1 + Float.BYTES * cols;
            int b3 = b2 + Float.BYTES * cols;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            for (int j = 0; j < whole; j += lanes) {
                FloatVector xj = FloatVector.fromArray(FLOATS, x, j);
                a0 = load(w, b0, j).fma(xj, a0);
                a1 = load(w, b1, j).fma(xj, a1);
                a2 = load(w, b2, j).fma(xj, a2);
                a3 = load(w, b3, j).fma(xj, a3);
            }
            out[r] = tail(w, b0, x, whole, cols, lanesSum(a0));
            out[r + 1] = tail(w, b1, x, whole, cols, lanesSum(a1));
            out[r + 2] = tail(w, b2, x, whole, cols, lanesSum(a2));
            out[r + 3] = tail(w, b3, x, whole, cols, lanesSum(a3));
        }
        for (; r < to; r++) {
            int b0 = Float.BYTES * r * cols;
            FloatVector a0 = FloatVector.zero(FLOATS);
            for (int j = 0; j < whole; j += lanes) {
                a0 = load(w, b0, j).fma(FloatVector.fromArray(FLOATS, x, j), a0);
            }
            out[r] = tail(w, b0, x, whole, cols, lanesSum(a0));
        }
    }

    /**
     * outs[b][r] = W[r]·xs[b] for rows r in [from, to) and sequences b in [0, batch): blocks of two
     * rows × four sequences (eight accumulators; each weight load serves four sequences, each x load
     * two rows), rows outermost, so the weights are read from memory once for the whole batch. With
     * eight or more sequences the two rows are first copied onto the heap (one bulk copy), where the
     * vector loads of the quads that follow cost about half of a load from native memory. Every
     * (row, sequence) sum is formed exactly as {@link #f32Rows} forms it, so a batched decode step
     * gives bit for bit the logits of one sequence at a time.
     */
    static void f32RowsBatch(ByteBuffer w, int cols, float[][] xs, float[][] outs, int batch, int from, int to) {
        if (batch == 1) { // a single vector: the four-row kernel over the whole range
            f32Rows(w, cols, xs[0], outs[0], from, to);
            return;
        }
        int quads = batch - batch % 4;
        boolean staged = quads >= 8;
        FloatBuffer floats = staged ? w.asFloatBuffer() : null;
        float[] pair = staged ? new float[2 * cols] : null;
        int r = from;
        for (; r + 1 < to; r += 2) {
            if (staged) {
                floats.get(r * cols, pair, 0, 2 * cols);
            }
            for (int b = 0; b < quads; b += 4) {
                if (staged) {
                    rowPairQuad(pair, xs, outs, b, r, cols);
                } else {
                    rowPairQuad(w, xs, outs, b, r, cols);
                }
            }
            for (int b = quads; b < batch; b++) {
                f32Rows(w, cols, xs[b], outs[b], r, r + 2);
            }
        }
        if (r < to) { // an odd last row
            for (int b = 0; b < batch; b++) {
                f32Rows(w, cols, xs[b], outs[b], r, to);
            }
        }
    }

    /** Rows r and r + 1 (read from native memory) times sequences b … b + 3. */
    private static void rowPairQuad(ByteBuffer w, float[][] xs, float[][] outs, int b, int r, int cols) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        int p = Float.BYTES * r * cols;
        int q = p + Float.BYTES * cols;
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
            FloatVector wp = load(w, p, j);
            FloatVector wq = load(w, q, j);
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
        outs[b][r] = tail(w, p, x0, whole, cols, lanesSum(p0));
        outs[b + 1][r] = tail(w, p, x1, whole, cols, lanesSum(p1));
        outs[b + 2][r] = tail(w, p, x2, whole, cols, lanesSum(p2));
        outs[b + 3][r] = tail(w, p, x3, whole, cols, lanesSum(p3));
        outs[b][r + 1] = tail(w, q, x0, whole, cols, lanesSum(q0));
        outs[b + 1][r + 1] = tail(w, q, x1, whole, cols, lanesSum(q1));
        outs[b + 2][r + 1] = tail(w, q, x2, whole, cols, lanesSum(q2));
        outs[b + 3][r + 1] = tail(w, q, x3, whole, cols, lanesSum(q3));
    }

    /** As above over the two rows copied onto the heap: {@code pair} = (row r, row r + 1). */
    private static void rowPairQuad(float[] pair, float[][] xs, float[][] outs, int b, int r, int cols) {
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
        outs[b][r] = tail(pair, 0, x0, whole, cols, lanesSum(p0));
        outs[b + 1][r] = tail(pair, 0, x1, whole, cols, lanesSum(p1));
        outs[b + 2][r] = tail(pair, 0, x2, whole, cols, lanesSum(p2));
        outs[b + 3][r] = tail(pair, 0, x3, whole, cols, lanesSum(p3));
        outs[b][r + 1] = tail(pair, cols, x0, whole, cols, lanesSum(q0));
        outs[b + 1][r + 1] = tail(pair, cols, x1, whole, cols, lanesSum(q1));
        outs[b + 2][r + 1] = tail(pair, cols, x2, whole, cols, lanesSum(q2));
        outs[b + 3][r + 1] = tail(pair, cols, x3, whole, cols, lanesSum(q3));
    }

    /** {@code s} plus row·x over the scalar tail [whole, cols), the row at {@code row[at, at + cols)}. */
    private static float tail(float[] row, int at, float[] x, int whole, int cols, float s) {
        for (int j = whole; j < cols; j++) {
            s += row[at + j] * x[j];
        }
        return s;
    }

    /** {@code s} plus W[row]·x over the scalar tail [whole, cols), in column order. */
    private static float tail(ByteBuffer w, int base, float[] x, int whole, int cols, float s) {
        for (int j = whole; j < cols; j++) {
            s += w.getFloat(base + Float.BYTES * j) * x[j];
        }
        return s;
    }

    private static FloatVector load(ByteBuffer w, int base, int j) {
        return FloatVector.fromByteBuffer(FLOATS, w, base + Float.BYTES * j, ORDER);
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
