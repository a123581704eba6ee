package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
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
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** As many byte lanes as float lanes: one load of int8 quants widens to one float vector. */
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.length() * 8));
    /** Rotations by lanes/2, lanes/4, …, 1: the folds of {@link #lanesSum}. */
    private static final VectorShuffle<Float>[] FOLDS = folds();
    /**
     * Whether the batch kernels may hold sixteen accumulators: 512-bit vectors mean AVX-512, which has 32
     * vector registers (AVX2 has 16, and the four-row kernel would spill there).
     */
    static final boolean WIDE_REGISTERS = FLOATS.vectorBitSize() >= 512;

    /**
     * Each thread's row block for the batch kernels ({@link #f32RowsBatch}'s copy, {@link VectorQ8#rowsBatch}'s
     * widened row; grown to the longest seen) and their accumulator scratch (sixteen vectors).
     */
    private static final ThreadLocal<float[][]> BLOCK = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[16 * FLOATS.length()]);

    private VectorDot() {}

    /** This thread's accumulator scratch for the batch kernels: sixteen vectors. */
    static float[] accumulatorScratch() {
        return SCRATCH.get();
    }

    /** This thread's row block for the batch kernels, at least {@code length} floats. */
    static float[] blockScratch(int length) {
        float[][] holder = BLOCK.get();
        if (holder[0].length < length) {
            holder[0] = new float[length];
        }
        return holder[0];
    }

    /**
     * out[r] = W[r]·x for r in [from, to), W float32 (rows, cols) row-major in native order: one row at a
     * time straight from W's memory, one accumulator over its column vectors in order, then its lanes
     * summed and the scalar tail added — the sum {@link #f32RowsBatch} forms too. One sequential stream
     * per thread reads fastest: on an AMD EPYC Zen 4 this loop read a 453 MB matrix at 28–31 GB/s on two
     * cores, where four rows at a time (interleaved, or bulk-copied onto the heap first, the kernel
     * before) reached 20–23 (docs/BENCHMARKS.md section 9).
     */
    static void f32Rows(ByteBuffer w, int cols, float[] x, float[] out, int from, int to) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        for (int r = from; r < to; r++) {
            int at = Math.multiplyExact(Float.BYTES * cols, r);
            FloatVector a0 = FloatVector.zero(FLOATS);
            for (int j = 0; j < whole; j += lanes) {
                a0 = FloatVector.fromByteBuffer(FLOATS, w, at + Float.BYTES * j, ORDER).fma(FloatVector.fromArray(FLOATS, x, j), a0);
            }
            float s = lanesSum(a0);
            for (int j = whole; j < cols; j++) {
                s += w.getFloat(at + Float.BYTES * j) * x[j];
            }
            out[r] = s;
        }
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
     * outs[b][r] = W[r]·xs[b] for rows r in [from, to) and sequences b in [0, batch): blocks of four
     * rows × four sequences where the vector registers allow ({@link #rowQuadQuad}, AVX-512), else two
     * rows × four sequences (eight accumulators; each weight load serves four sequences, each x load
     * two rows), rows outermost, so the weights are read from memory once for the whole batch. Each
     * block of rows is first copied onto the heap (one bulk copy), where the vector loads of the quads that
     * follow cost less than loads from native memory (at batch 4, 1.15× the step without the copy). Every
     * (row, sequence) sum is formed exactly as {@link #f32Rows} forms it, so a batched decode step
     * gives bit for bit the logits of one sequence at a time.
     */
    static void f32RowsBatch(ByteBuffer w, int cols, float[][] xs, float[][] outs, int batch, int from, int to) {
        if (batch == 1) { // a single vector: the four-row kernel over the whole range
            f32Rows(w, cols, xs[0], outs[0], from, to);
            return;
        }
        if (from >= to) { // the empty edges around a chunk's panels (F32Rows): nothing to copy or compute
            return;
        }
        int quads = batch - batch % 4;
        FloatBuffer floats = w.asFloatBuffer();
        float[] block = blockScratch(4 * cols);
        float[] scratch = SCRATCH.get();
        int r = from;
        if (WIDE_REGISTERS) {
            for (; r + 3 < to; r += 4) {
                floats.get(r * cols, block, 0, 4 * cols);
                for (int b = 0; b < quads; b += 4) {
                    rowQuadQuad(block, xs, outs, b, r, cols, scratch);
                }
                for (int b = quads; b < batch; b++) {
                    for (int i = 0; i < 4; i++) {
                        outs[b][r + i] = row(block, i * cols, cols, xs[b]);
                    }
                }
            }
        }
        for (; r + 1 < to; r += 2) {
            floats.get(r * cols, block, 0, 2 * cols);
            for (int b = 0; b < quads; b += 4) {
                rowPairQuad(block, xs, outs, b, r, cols, scratch);
            }
            for (int b = quads; b < batch; b++) {
                outs[b][r] = row(block, 0, cols, xs[b]);
                outs[b][r + 1] = row(block, cols, cols, xs[b]);
            }
        }
        if (r < to) { // an odd last row
            floats.get(r * cols, block, 0, cols);
            for (int b = 0; b < batch; b++) {
                outs[b][r] = row(block, 0, cols, xs[b]);
            }
        }
    }

    /**
     * Rows r … r + 3, copied onto the heap as {@code block} (row-major), times sequences b … b + 3: sixteen
     * accumulators, each column step loading four weight vectors and four x vectors for sixteen FMAs (the
     * pair kernel below loads six for eight), then stores the accumulators for {@link #finish}. It needs
     * 21 vector registers, so it runs only where there are 32 ({@link #WIDE_REGISTERS}); every sum is
     * formed as in {@link #rowPairQuad}. On an AMD EPYC Zen 4 the batch-16 step's in_proj ran 1.15×
     * faster with it than with the pair kernel (docs/BENCHMARKS.md section 6).
     */
    private static void rowQuadQuad(float[] block, float[][] xs, float[][] outs, int b, int r, int cols,
            float[] scratch) {
        int lanes = FLOATS.length();
        int whole = cols - cols % lanes;
        int b1 = cols;
        int b2 = 2 * cols;
        int b3 = 3 * cols;
        float[] x0 = xs[b];
        float[] x1 = xs[b + 1];
        float[] x2 = xs[b + 2];
        float[] x3 = xs[b + 3];
        FloatVector a00 = FloatVector.zero(FLOATS);
        FloatVector a01 = FloatVector.zero(FLOATS);
        FloatVector a02 = FloatVector.zero(FLOATS);
        FloatVector a03 = FloatVector.zero(FLOATS);
        FloatVector a10 = FloatVector.zero(FLOATS);
        FloatVector a11 = FloatVector.zero(FLOATS);
        FloatVector a12 = FloatVector.zero(FLOATS);
        FloatVector a13 = FloatVector.zero(FLOATS);
        FloatVector a20 = FloatVector.zero(FLOATS);
        FloatVector a21 = FloatVector.zero(FLOATS);
        FloatVector a22 = FloatVector.zero(FLOATS);
        FloatVector a23 = FloatVector.zero(FLOATS);
        FloatVector a30 = FloatVector.zero(FLOATS);
        FloatVector a31 = FloatVector.zero(FLOATS);
        FloatVector a32 = FloatVector.zero(FLOATS);
        FloatVector a33 = FloatVector.zero(FLOATS);
        for (int j = 0; j < whole; j += lanes) {
            FloatVector w0 = FloatVector.fromArray(FLOATS, block, j);
            FloatVector w1 = FloatVector.fromArray(FLOATS, block, b1 + j);
            FloatVector w2 = FloatVector.fromArray(FLOATS, block, b2 + j);
            FloatVector w3 = FloatVector.fromArray(FLOATS, block, b3 + j);
            FloatVector v = FloatVector.fromArray(FLOATS, x0, j);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(FLOATS, x1, j);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(FLOATS, x2, j);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(FLOATS, x3, j);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        a00.intoArray(scratch, 0 * lanes);
        a01.intoArray(scratch, 1 * lanes);
        a02.intoArray(scratch, 2 * lanes);
        a03.intoArray(scratch, 3 * lanes);
        a10.intoArray(scratch, 4 * lanes);
        a11.intoArray(scratch, 5 * lanes);
        a12.intoArray(scratch, 6 * lanes);
        a13.intoArray(scratch, 7 * lanes);
        a20.intoArray(scratch, 8 * lanes);
        a21.intoArray(scratch, 9 * lanes);
        a22.intoArray(scratch, 10 * lanes);
        a23.intoArray(scratch, 11 * lanes);
        a30.intoArray(scratch, 12 * lanes);
        a31.intoArray(scratch, 13 * lanes);
        a32.intoArray(scratch, 14 * lanes);
        a33.intoArray(scratch, 15 * lanes);
        finish(block, xs, outs, b, r, 4, cols, whole, scratch);
    }

    /**
     * Rows r and r + 1, copied onto the heap as {@code pair} = (row r, row r + 1), times sequences b … b + 3.
     * The eight accumulators are stored into {@code scratch} and summed by {@link #finish} (the same tree
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
        p0.intoArray(scratch, 0 * lanes);
        p1.intoArray(scratch, 1 * lanes);
        p2.intoArray(scratch, 2 * lanes);
        p3.intoArray(scratch, 3 * lanes);
        q0.intoArray(scratch, 4 * lanes);
        q1.intoArray(scratch, 5 * lanes);
        q2.intoArray(scratch, 6 * lanes);
        q3.intoArray(scratch, 7 * lanes);
        finish(pair, xs, outs, b, r, 2, cols, whole, scratch);
    }

    /**
     * outs[b + k][r + i] for the {@code rows} × 4 block whose accumulators lie in {@code scratch}, one
     * vector each in the order (row i, sequence k) → i·4 + k: their lanes summed ({@link #treeSum}), then
     * the scalar tail. The kernels store their accumulators and sum them here, in scalar code, rather
     * than passing vectors to a summing method: a kernel with sixteen such calls grew past the JIT's
     * node budget, the calls were left out of line and every vector passed to them was boxed on the heap.
     */
    private static void finish(float[] block, float[][] xs, float[][] outs, int b, int r, int rows, int cols,
            int whole, float[] scratch) {
        int lanes = FLOATS.length();
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < 4; k++) {
                outs[b + k][r + i] = tail(block, i * cols, xs[b + k], whole, cols, treeSum(scratch, (4 * i + k) * lanes));
            }
        }
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
     * {@code scratch} (at least a vector long) by {@link #treeSum}, which the batch kernels call
     * directly on several stored accumulators. Where a sum is needed per channel rather than per
     * block of rows, this costs about a third less than the rotations (the scan step; scratch timings
     * in docs/BENCHMARKS.md section 6). The single-vector row kernel keeps the rotations: there it
     * gave no gain.
     */
    static float lanesSum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        return treeSum(scratch, 0);
    }

    /**
     * The lanes a vector stored at {@code t[at, at + lanes)} added as the tree of {@link #lanesSum(FloatVector)}:
     * lane i plus lane i + lanes/2, then a quarter, …, in scalar registers.
     */
    static float treeSum(float[] t, int at) {
        int lanes = FLOATS.length();
        if (lanes == 16) {
            float s0 = t[at] + t[at + 8];
            float s1 = t[at + 1] + t[at + 9];
            float s2 = t[at + 2] + t[at + 10];
            float s3 = t[at + 3] + t[at + 11];
            float s4 = t[at + 4] + t[at + 12];
            float s5 = t[at + 5] + t[at + 13];
            float s6 = t[at + 6] + t[at + 14];
            float s7 = t[at + 7] + t[at + 15];
            s0 += s4;
            s1 += s5;
            s2 += s6;
            s3 += s7;
            s0 += s2;
            s1 += s3;
            return s0 + s1;
        }
        if (lanes == 8) {
            float s0 = t[at] + t[at + 4];
            float s1 = t[at + 1] + t[at + 5];
            float s2 = t[at + 2] + t[at + 6];
            float s3 = t[at + 3] + t[at + 7];
            s0 += s2;
            s1 += s3;
            return s0 + s1;
        }
        float[] u = Arrays.copyOfRange(t, at, at + lanes);
        for (int half = lanes / 2; half > 0; half /= 2) {
            for (int i = 0; i < half; i++) {
                u[i] += u[i + half];
            }
        }
        return u[0];
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
