package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Q8_0 kernels with the Vector API: one byte load of a lane count of quants widens to one float vector. */
final class VectorQ8 {
    private static final VectorSpecies<Float> FLOATS = VectorDot.FLOATS;
    private static final VectorSpecies<Byte> BYTES = VectorDot.BYTES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorQ8() {}

    /**
     * out[r] = Σ_b s_rb · (q_rb · x_b) for r in [from, to): each block's quants widened to floats,
     * multiplied with x and scaled once per block; lane sums added in a fixed order.
     */
    static void rows(byte[] quants, float[] scales, int cols, float[] x, float[] out, int from, int to) {
        int blocks = cols / Q8Rows.BLOCK;
        for (int r = from; r < to; r++) {
            int q = r * cols;
            int s = r * blocks;
            FloatVector even = FloatVector.zero(FLOATS);
            FloatVector odd = FloatVector.zero(FLOATS);
            int b = 0;
            for (; b + 1 < blocks; b += 2) {
                even = block(quants, q, x, b).fma(FloatVector.broadcast(FLOATS, scales[s + b]), even);
                odd = block(quants, q, x, b + 1).fma(FloatVector.broadcast(FLOATS, scales[s + b + 1]), odd);
            }
            if (b < blocks) {
                even = block(quants, q, x, b).fma(FloatVector.broadcast(FLOATS, scales[s + b]), even);
            }
            out[r] = VectorDot.lanesSum(even.add(odd));
        }
    }

    /**
     * {@link #rows} for a batch: outs[b][r] = W[r]·xs[b]. Each row's quants are widened to floats once
     * (exactly: every int8 is a float) into a scratch row, which four sequences at a time then read
     * — each load of the row serving four block sums — with the block sums, the per-block scales and
     * the summing order of {@link #rows}, so the results are bit for bit the same.
     */
    static void rowsBatch(byte[] quants, float[] scales, int cols, float[][] xs, float[][] outs, int batch, int from,
            int to) {
        if (batch == 1) { // a single vector: no widened scratch row, the quants read directly
            rows(quants, scales, cols, xs[0], outs[0], from, to);
            return;
        }
        if (from >= to) { // the empty edges around a chunk's panels (Q8Rows)
            return;
        }
        int lanes = FLOATS.length();
        float[] row = VectorDot.blockScratch(cols);
        float[] scratch = VectorDot.accumulatorScratch();
        int quads = batch - batch % 4;
        for (int r = from; r < to; r++) {
            int q = r * cols;
            for (int j = 0; j < cols; j += lanes) {
                widen(quants, q + j).intoArray(row, j);
            }
            for (int b = 0; b < quads; b += 4) {
                rowQuad(row, scales, r, cols, xs, outs, b, scratch);
            }
            for (int b = quads; b < batch; b++) {
                rowOne(row, scales, r, cols, xs[b], outs[b]);
            }
        }
    }

    /** One widened row times one vector: the even/odd block accumulators of {@link #rows}. */
    private static void rowOne(float[] row, float[] scales, int r, int cols, float[] x, float[] out) {
        int blocks = cols / Q8Rows.BLOCK;
        int s = r * blocks;
        FloatVector even = FloatVector.zero(FLOATS);
        FloatVector odd = FloatVector.zero(FLOATS);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            even = widened(row, x, b).fma(FloatVector.broadcast(FLOATS, scales[s + b]), even);
            odd = widened(row, x, b + 1).fma(FloatVector.broadcast(FLOATS, scales[s + b + 1]), odd);
        }
        if (b < blocks) {
            even = widened(row, x, b).fma(FloatVector.broadcast(FLOATS, scales[s + b]), even);
        }
        out[r] = VectorDot.lanesSum(even.add(odd));
    }

    /**
     * One widened row times vectors b … b + 3, each with its own even/odd accumulators as in {@link #rowOne};
     * the four lane sums through {@code scratch}, as in the float32 batch kernel.
     */
    private static void rowQuad(float[] row, float[] scales, int r, int cols, float[][] xs, float[][] outs, int b,
            float[] scratch) {
        int blocks = cols / Q8Rows.BLOCK;
        int s = r * blocks;
        float[] x0 = xs[b];
        float[] x1 = xs[b + 1];
        float[] x2 = xs[b + 2];
        float[] x3 = xs[b + 3];
        FloatVector e0 = FloatVector.zero(FLOATS);
        FloatVector e1 = FloatVector.zero(FLOATS);
        FloatVector e2 = FloatVector.zero(FLOATS);
        FloatVector e3 = FloatVector.zero(FLOATS);
        FloatVector o0 = FloatVector.zero(FLOATS);
        FloatVector o1 = FloatVector.zero(FLOATS);
        FloatVector o2 = FloatVector.zero(FLOATS);
        FloatVector o3 = FloatVector.zero(FLOATS);
        int lanes = FLOATS.length();
        // blocks in pairs, the first into the even accumulators and the second into the odd, as in rows();
        // no branch on the block's parity, so that every accumulator stays a register
        int k = 0;
        for (; k + 1 < blocks; k += 2) {
            int j0 = k * Q8Rows.BLOCK;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            for (int j = j0; j < j0 + Q8Rows.BLOCK; j += lanes) {
                FloatVector v = FloatVector.fromArray(FLOATS, row, j);
                a0 = v.fma(FloatVector.fromArray(FLOATS, x0, j), a0);
                a1 = v.fma(FloatVector.fromArray(FLOATS, x1, j), a1);
                a2 = v.fma(FloatVector.fromArray(FLOATS, x2, j), a2);
                a3 = v.fma(FloatVector.fromArray(FLOATS, x3, j), a3);
            }
            FloatVector scale = FloatVector.broadcast(FLOATS, scales[s + k]);
            e0 = a0.fma(scale, e0);
            e1 = a1.fma(scale, e1);
            e2 = a2.fma(scale, e2);
            e3 = a3.fma(scale, e3);
            int j1 = j0 + Q8Rows.BLOCK;
            FloatVector c0 = FloatVector.zero(FLOATS);
            FloatVector c1 = FloatVector.zero(FLOATS);
            FloatVector c2 = FloatVector.zero(FLOATS);
            FloatVector c3 = FloatVector.zero(FLOATS);
            for (int j = j1; j < j1 + Q8Rows.BLOCK; j += lanes) {
                FloatVector v = FloatVector.fromArray(FLOATS, row, j);
                c0 = v.fma(FloatVector.fromArray(FLOATS, x0, j), c0);
                c1 = v.fma(FloatVector.fromArray(FLOATS, x1, j), c1);
                c2 = v.fma(FloatVector.fromArray(FLOATS, x2, j), c2);
                c3 = v.fma(FloatVector.fromArray(FLOATS, x3, j), c3);
            }
            FloatVector next = FloatVector.broadcast(FLOATS, scales[s + k + 1]);
            o0 = c0.fma(next, o0);
            o1 = c1.fma(next, o1);
            o2 = c2.fma(next, o2);
            o3 = c3.fma(next, o3);
        }
        if (k < blocks) { // an odd last block goes to the even accumulators
            e0 = widened(row, x0, k).fma(FloatVector.broadcast(FLOATS, scales[s + k]), e0);
            e1 = widened(row, x1, k).fma(FloatVector.broadcast(FLOATS, scales[s + k]), e1);
            e2 = widened(row, x2, k).fma(FloatVector.broadcast(FLOATS, scales[s + k]), e2);
            e3 = widened(row, x3, k).fma(FloatVector.broadcast(FLOATS, scales[s + k]), e3);
        }
        e0.add(o0).intoArray(scratch, 0 * lanes);
        e1.add(o1).intoArray(scratch, 1 * lanes);
        e2.add(o2).intoArray(scratch, 2 * lanes);
        e3.add(o3).intoArray(scratch, 3 * lanes);
        outs[b][r] = VectorDot.treeSum(scratch, 0 * lanes);
        outs[b + 1][r] = VectorDot.treeSum(scratch, 1 * lanes);
        outs[b + 2][r] = VectorDot.treeSum(scratch, 2 * lanes);
        outs[b + 3][r] = VectorDot.treeSum(scratch, 3 * lanes);
    }

    /** {@link #block} over a row already widened to floats. */
    private static FloatVector widened(float[] row, float[] x, int b) {
        int lanes = FLOATS.length();
        int j0 = b * Q8Rows.BLOCK;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int j = 0; j < Q8Rows.BLOCK; j += lanes) {
            acc = FloatVector.fromArray(FLOATS, row, j0 + j).fma(FloatVector.fromArray(FLOATS, x, j0 + j), acc);
        }
        return acc;
    }

    /** q_b · x_b for block {@code b} of the row starting at {@code q}, as lane partial sums. */
    private static FloatVector block(byte[] quants, int q, float[] x, int b) {
        int lanes = FLOATS.length();
        int j0 = b * Q8Rows.BLOCK;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int j = 0; j < Q8Rows.BLOCK; j += lanes) {
            acc = widen(quants, q + j0 + j).fma(FloatVector.fromArray(FLOATS, x, j0 + j), acc);
        }
        return acc;
    }

    /** s · q for rows [from, to) into {@code target} as float32, row-major, row {@code first} at byte 0. */
    static void dequantize(byte[] quants, float[] scales, int cols, int from, int to, int first, ByteBuffer target) {
        int lanes = FLOATS.length();
        int blocks = cols / Q8Rows.BLOCK;
        ByteBuffer out = target.duplicate().order(ORDER);
        for (int r = from; r < to; r++) {
            int base = Float.BYTES * (r - first) * cols;
            for (int b = 0; b < blocks; b++) {
                FloatVector s = FloatVector.broadcast(FLOATS, scales[r * blocks + b]);
                int q = r * cols + b * Q8Rows.BLOCK;
                for (int j = 0; j < Q8Rows.BLOCK; j += lanes) {
                    widen(quants, q + j).mul(s).intoByteBuffer(out, base + Float.BYTES * (b * Q8Rows.BLOCK + j), ORDER);
                }
            }
        }
    }

    private static FloatVector widen(byte[] quants, int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, quants, at).convertShape(VectorOperators.B2F, FLOATS, 0);
    }
}
