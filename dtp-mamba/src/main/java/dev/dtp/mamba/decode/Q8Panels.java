package dev.dtp.mamba.decode;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q8_0 matrix copied in panels for the batched decode step, as {@link F32Panels} does for float32:
 * a panel is one vector of rows, each lane a row, and the quants of column k = c·lanes + m lie at
 *
 * <pre>  quants[p·lanes·cols + (m·C + c)·lanes + i] = q[p·lanes + i][c·lanes + m],   C = cols / lanes</pre>
 *
 * with each block's scales as one vector over the panel's rows, scales[(p·blocks + b)·lanes + i] =
 * s[p·lanes + i][b]. The single-vector kernel ({@link VectorQ8#rows}) forms, in lane m of a row, each
 * block's partial sum q·x over the block's columns k ≡ m in order, scales it into an even or an odd
 * accumulator by one FMA, adds the two and sums the lanes. Here each residue m of a panel's rows is
 * one vector of those same chains (the quants of a column widened once for eight sequences, four
 * with 256-bit vectors; x broadcast; no lane sums), and {@link F32Panels#fold} adds the residues as that lane sum does: every
 * result is the single sequence's bit for bit. Each chunk of a lane count of quants widens to floats
 * exactly and serves the whole block of sequences, where the row-at-a-time batch kernel widened every row into a
 * scratch row and summed lanes per (row, sequence). The cost is a second copy of the quants and
 * scales, on the Java heap (about a quarter of the float32 matrix).
 */
final class Q8Panels {
    private static final VectorSpecies<Float> FLOATS = VectorDot.FLOATS;
    private static final VectorSpecies<Byte> BYTES = VectorDot.BYTES;
    private static final int LANES = FLOATS.length();
    /** Chunks of a lane count of columns in one block: 2 with 16 lanes, 4 with 8. */
    private static final int CHUNKS_PER_BLOCK = Q8Rows.BLOCK / LANES;

    private final byte[] quants;
    private final float[] scales;
    private final int count;
    private final int cols;
    private final int blocks;

    private Q8Panels(byte[] quants, float[] scales, int count, int cols) {
        this.quants = quants;
        this.scales = scales;
        this.count = count;
        this.cols = cols;
        this.blocks = cols / Q8Rows.BLOCK;
    }

    /** Whether this JVM's vectors suit the kernel: the folds are written for 8 and 16 lanes, which divide a block. */
    static boolean supported() {
        return F32Panels.supported() && Q8Rows.BLOCK % LANES == 0;
    }

    /** Heap bytes the panels of a (rows, cols) matrix take. */
    static long bytes(int rows, int cols) {
        long panelRows = rows - rows % LANES;
        return panelRows * cols + Float.BYTES * panelRows * (cols / Q8Rows.BLOCK);
    }

    /** The whole panels of a Q8_0 matrix (the last rows % lanes rows stay with the row kernel). */
    static Q8Panels of(byte[] q, float[] s, int rows, int cols) {
        int count = rows / LANES;
        int blocks = cols / Q8Rows.BLOCK;
        byte[] quants = new byte[Math.toIntExact((long) count * LANES * cols)];
        float[] scales = new float[Math.toIntExact((long) count * blocks * LANES)];
        for (int p = 0; p < count; p++) {
            for (int i = 0; i < LANES; i++) {
                int row = p * LANES + i;
                for (int m = 0, at = p * LANES * cols + i; m < LANES; m++) {
                    for (int k = m; k < cols; k += LANES, at += LANES) { // column k = c·lanes + m at (m·C + c)·lanes
                        quants[at] = q[row * cols + k];
                    }
                }
                for (int b = 0; b < blocks; b++) {
                    scales[(p * blocks + b) * LANES + i] = s[row * blocks + b];
                }
            }
        }
        return new Q8Panels(quants, scales, count, cols);
    }

    /** Whether {@code in} holds its vectors in this matrix's column order. */
    boolean fits(BatchVectors in) {
        return F32Panels.fits(in, cols);
    }

    /** Whole panels; rows from {@code count() · lanes} on have none. */
    int count() {
        return count;
    }

    static int lanes() {
        return LANES;
    }

    /**
     * outs[b][r] = W[r]·xs[b] for the rows of panels [from, to) and the batch of {@code in}: eight sequences at a
     * time where there are 32 vector registers, else four.
     */
    void multiply(BatchVectors in, float[][] outs, int from, int to) {
        int chunks = cols / LANES;
        int stride = in.stride();
        float[] columns = in.columns();
        float[] partials = F32Panels.partials(); // residue m, sequence a → one vector at (m·16 + a)·lanes
        for (int p = from; p < to; p++) {
            for (int b = 0; b < stride;) {
                int width = VectorDot.WIDE_REGISTERS && b + 8 <= stride ? 8 : 4;
                for (int m = 0; m < LANES; m++) {
                    if (width == 8) {
                        eight(p, m, columns, m * chunks * stride + b, stride, partials, m * 16 * LANES);
                    } else {
                        four(p, m, columns, m * chunks * stride + b, stride, partials, m * 16 * LANES);
                    }
                }
                for (int a = 0; a < width && b + a < in.batch(); a++) {
                    F32Panels.fold(partials, a).intoArray(outs[b + a], p * LANES);
                }
                b += width;
            }
        }
    }

    /**
     * Residue m of panel p times sequences b … b + 3 (their values at x0, one column every {@code stride}):
     * per sequence the even and odd block accumulators of {@link VectorQ8#rows}, each lane a row's,
     * blocks in pairs (even, then odd) so that no accumulator depends on a block's parity; their sums
     * stored at partials[at + a·lanes].
     */
    private void four(int p, int m, float[] columns, int x0, int stride, float[] partials, int at) {
        int q0 = p * LANES * cols + m * (cols / LANES) * LANES; // chunk c's quants at q0 + c·lanes
        int s0 = p * blocks * LANES; // block b's scales at s0 + b·lanes
        FloatVector e0 = FloatVector.zero(FLOATS);
        FloatVector e1 = FloatVector.zero(FLOATS);
        FloatVector e2 = FloatVector.zero(FLOATS);
        FloatVector e3 = FloatVector.zero(FLOATS);
        FloatVector o0 = FloatVector.zero(FLOATS);
        FloatVector o1 = FloatVector.zero(FLOATS);
        FloatVector o2 = FloatVector.zero(FLOATS);
        FloatVector o3 = FloatVector.zero(FLOATS);
        for (int k = 0; k < blocks; k += 2) {
            // block k: q·x over its chunks (one FMA chain each, from zero), then scaled into the even accumulators
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            for (int t = 0, c = k * CHUNKS_PER_BLOCK; t < CHUNKS_PER_BLOCK; t++, c++) {
                FloatVector w = widen(q0 + c * LANES);
                int x = x0 + c * stride;
                a0 = w.fma(FloatVector.broadcast(FLOATS, columns[x]), a0);
                a1 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 1]), a1);
                a2 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 2]), a2);
                a3 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 3]), a3);
            }
            FloatVector scale = FloatVector.fromArray(FLOATS, scales, s0 + k * LANES);
            e0 = a0.fma(scale, e0);
            e1 = a1.fma(scale, e1);
            e2 = a2.fma(scale, e2);
            e3 = a3.fma(scale, e3);
            if (k + 1 < blocks) { // block k + 1 into the odd accumulators (an odd last block has none)
                FloatVector c0 = FloatVector.zero(FLOATS);
                FloatVector c1 = FloatVector.zero(FLOATS);
                FloatVector c2 = FloatVector.zero(FLOATS);
                FloatVector c3 = FloatVector.zero(FLOATS);
                for (int t = 0, c = (k + 1) * CHUNKS_PER_BLOCK; t < CHUNKS_PER_BLOCK; t++, c++) {
                    FloatVector w = widen(q0 + c * LANES);
                    int x = x0 + c * stride;
                    c0 = w.fma(FloatVector.broadcast(FLOATS, columns[x]), c0);
                    c1 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 1]), c1);
                    c2 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 2]), c2);
                    c3 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 3]), c3);
                }
                FloatVector next = FloatVector.fromArray(FLOATS, scales, s0 + (k + 1) * LANES);
                o0 = c0.fma(next, o0);
                o1 = c1.fma(next, o1);
                o2 = c2.fma(next, o2);
                o3 = c3.fma(next, o3);
            }
        }
        e0.add(o0).intoArray(partials, at);
        e1.add(o1).intoArray(partials, at + LANES);
        e2.add(o2).intoArray(partials, at + 2 * LANES);
        e3.add(o3).intoArray(partials, at + 3 * LANES);
    }

    /** {@link #four} for eight sequences (sixteen accumulators, eight block sums): where there are 32 vector registers. */
    private void eight(int p, int m, float[] columns, int x0, int stride, float[] partials, int at) {
        int q0 = p * LANES * cols + m * (cols / LANES) * LANES;
        int s0 = p * blocks * LANES;
        FloatVector e0 = FloatVector.zero(FLOATS);
        FloatVector e1 = FloatVector.zero(FLOATS);
        FloatVector e2 = FloatVector.zero(FLOATS);
        FloatVector e3 = FloatVector.zero(FLOATS);
        FloatVector e4 = FloatVector.zero(FLOATS);
        FloatVector e5 = FloatVector.zero(FLOATS);
        FloatVector e6 = FloatVector.zero(FLOATS);
        FloatVector e7 = FloatVector.zero(FLOATS);
        FloatVector o0 = FloatVector.zero(FLOATS);
        FloatVector o1 = FloatVector.zero(FLOATS);
        FloatVector o2 = FloatVector.zero(FLOATS);
        FloatVector o3 = FloatVector.zero(FLOATS);
        FloatVector o4 = FloatVector.zero(FLOATS);
        FloatVector o5 = FloatVector.zero(FLOATS);
        FloatVector o6 = FloatVector.zero(FLOATS);
        FloatVector o7 = FloatVector.zero(FLOATS);
        for (int k = 0; k < blocks; k += 2) {
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            FloatVector a4 = FloatVector.zero(FLOATS);
            FloatVector a5 = FloatVector.zero(FLOATS);
            FloatVector a6 = FloatVector.zero(FLOATS);
            FloatVector a7 = FloatVector.zero(FLOATS);
            for (int t = 0, c = k * CHUNKS_PER_BLOCK; t < CHUNKS_PER_BLOCK; t++, c++) {
                FloatVector w = widen(q0 + c * LANES);
                int x = x0 + c * stride;
                a0 = w.fma(FloatVector.broadcast(FLOATS, columns[x]), a0);
                a1 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 1]), a1);
                a2 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 2]), a2);
                a3 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 3]), a3);
                a4 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 4]), a4);
                a5 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 5]), a5);
                a6 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 6]), a6);
                a7 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 7]), a7);
            }
            FloatVector scale = FloatVector.fromArray(FLOATS, scales, s0 + k * LANES);
            e0 = a0.fma(scale, e0);
            e1 = a1.fma(scale, e1);
            e2 = a2.fma(scale, e2);
            e3 = a3.fma(scale, e3);
            e4 = a4.fma(scale, e4);
            e5 = a5.fma(scale, e5);
            e6 = a6.fma(scale, e6);
            e7 = a7.fma(scale, e7);
            if (k + 1 < blocks) { // block k + 1 into the odd accumulators (an odd last block has none)
                FloatVector c0 = FloatVector.zero(FLOATS);
                FloatVector c1 = FloatVector.zero(FLOATS);
                FloatVector c2 = FloatVector.zero(FLOATS);
                FloatVector c3 = FloatVector.zero(FLOATS);
                FloatVector c4 = FloatVector.zero(FLOATS);
                FloatVector c5 = FloatVector.zero(FLOATS);
                FloatVector c6 = FloatVector.zero(FLOATS);
                FloatVector c7 = FloatVector.zero(FLOATS);
                for (int t = 0, c = (k + 1) * CHUNKS_PER_BLOCK; t < CHUNKS_PER_BLOCK; t++, c++) {
                    FloatVector w = widen(q0 + c * LANES);
                    int x = x0 + c * stride;
                    c0 = w.fma(FloatVector.broadcast(FLOATS, columns[x]), c0);
                    c1 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 1]), c1);
                    c2 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 2]), c2);
                    c3 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 3]), c3);
                    c4 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 4]), c4);
                    c5 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 5]), c5);
                    c6 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 6]), c6);
                    c7 = w.fma(FloatVector.broadcast(FLOATS, columns[x + 7]), c7);
                }
                FloatVector next = FloatVector.fromArray(FLOATS, scales, s0 + (k + 1) * LANES);
                o0 = c0.fma(next, o0);
                o1 = c1.fma(next, o1);
                o2 = c2.fma(next, o2);
                o3 = c3.fma(next, o3);
                o4 = c4.fma(next, o4);
                o5 = c5.fma(next, o5);
                o6 = c6.fma(next, o6);
                o7 = c7.fma(next, o7);
            }
        }
        e0.add(o0).intoArray(partials, at);
        e1.add(o1).intoArray(partials, at + LANES);
        e2.add(o2).intoArray(partials, at + 2 * LANES);
        e3.add(o3).intoArray(partials, at + 3 * LANES);
        e4.add(o4).intoArray(partials, at + 4 * LANES);
        e5.add(o5).intoArray(partials, at + 5 * LANES);
        e6.add(o6).intoArray(partials, at + 6 * LANES);
        e7.add(o7).intoArray(partials, at + 7 * LANES);
    }

    private FloatVector widen(int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, quants, at).convertShape(VectorOperators.B2F, FLOATS, 0);
    }
}
