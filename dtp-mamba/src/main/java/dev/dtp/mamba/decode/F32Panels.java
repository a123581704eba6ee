package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float32 W (rows, cols) copied onto the heap in panels for the batched decode step: a panel is
 * one vector of rows, each lane a row, so a batch of x vectors multiplies it with one broadcast
 * value per column and sequence, no lane sums and no block copies. Within a panel the columns are
 * ordered by residue m = k mod lanes, then chunk c = k / lanes (k = c·lanes + m):
 *
 * <pre>  panels[p·lanes·whole + (m·C + c)·lanes + i] = W[p·lanes + i][c·lanes + m],   C = whole / lanes</pre>
 *
 * so that each residue's partial sums are one FMA chain over the chunks in order, one pass over
 * memory in order. Those partial sums are exactly the lanes of {@link VectorDot#f32Rows}'s
 * accumulator (lane m sums the columns k ≡ m in chunk order), and {@link #fold} adds them as that
 * kernel's lane fold does, then the scalar tail is added as there: every result is the single
 * sequence's bit for bit. Read in order from the heap, the panels stream in while the core computes;
 * the row kernel's block copies stream first and compute after (on an AMD EPYC Zen 4, a 226 MB matrix
 * times 16 sequences on two cores: 1.5–1.7× faster, docs/BENCHMARKS.md section 6). The cost is a second
 * copy of the matrix, on the Java heap.
 */
final class F32Panels {
    private static final VectorSpecies<Float> FLOATS = VectorDot.FLOATS;
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /**
     * Accumulator slots per residue in the partial sums' scratch: three panels × eight sequences, the
     * largest block ({@link #threeEight}).
     */
    private static final int SLOTS = 24;

    /** Each thread's scratch for one block's partial sums (a pass would otherwise allocate one per chunk). */
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[LANES * SLOTS * LANES]);

    private final float[] panels;
    private final int count;
    private final int cols;
    private final int whole;

    private F32Panels(float[] panels, int count, int cols) {
        this.panels = panels;
        this.count = count;
        this.cols = cols;
        this.whole = cols - cols % LANES;
    }

    /** Whether this JVM's vectors suit the kernels: the lane folds are written for 8 and 16 lanes. */
    static boolean supported() {
        return LANES == 8 || LANES == 16;
    }

    /** Heap bytes the panels of a (rows, cols) matrix take. */
    static long bytes(int rows, int cols) {
        return (long) Float.BYTES * (rows - rows % LANES) * (cols - cols % LANES);
    }

    /** The whole panels of W (the last rows % lanes rows stay with the row kernel), copied from {@code w}. */
    static F32Panels of(ByteBuffer w, int rows, int cols) {
        int count = rows / LANES;
        int whole = cols - cols % LANES;
        float[] panels = new float[Math.toIntExact((long) count * LANES * whole)];
        float[] block = new float[LANES * cols];
        FloatBuffer data = w.duplicate().order(ORDER).asFloatBuffer();
        for (int p = 0; p < count; p++) {
            data.get(p * LANES * cols, block, 0, LANES * cols);
            for (int i = 0; i < LANES; i++) {
                for (int m = 0, at = p * LANES * whole + i; m < LANES; m++) {
                    for (int k = m; k < whole; k += LANES, at += LANES) { // column k = c·lanes + m at (m·C + c)·lanes
                        panels[at] = block[i * cols + k];
                    }
                }
            }
        }
        return new F32Panels(panels, count, cols);
    }

    /** Whether {@code in} holds its vectors in this matrix's column order (as {@link #columns} makes them). */
    boolean fits(BatchVectors in) {
        return fits(in, whole);
    }

    /** Whether {@code in} holds its vectors in the column order of a matrix whose whole vectors of columns are {@code whole} wide. */
    static boolean fits(BatchVectors in, int whole) {
        return in.columns() != null && in.stride() >= in.batch() && in.columns().length == whole * in.stride();
    }

    /** This thread's scratch for one block's partial sums, laid out as {@link #fold} reads them ({@link Q8Panels} too). */
    static float[] partials() {
        return PARTIALS.get();
    }

    /** Whole panels; rows from {@code count() · lanes} on have none. */
    int count() {
        return count;
    }

    static int lanes() {
        return LANES;
    }

    /**
     * The first {@code batch} of {@code xs} in panel column order: columns[(m·C + c)·stride + b] =
     * xs[b][c·lanes + m], stride the batch rounded up to a multiple of four (the padding zero).
     */
    BatchVectors columns(float[][] xs, int batch) {
        BatchVectors in = emptyColumns(xs, batch, cols);
        fill(in, 0, cols);
        return in;
    }

    /**
     * Room for the first {@code batch} of {@code xs} in the column order of any matrix {@code cols} wide
     * ({@link Q8Panels} too), {@link #fill filled} later: whole · stride floats, the padding zero.
     */
    static BatchVectors emptyColumns(float[][] xs, int batch, int cols) {
        int stride = (batch + 3) & ~3;
        return new BatchVectors(xs, batch, new float[(cols - cols % LANES) * stride], stride);
    }

    /**
     * Entries [from, to) of every vector of {@code in} into its columns, columns[(m·C + c)·stride + b] =
     * xs[b][c·lanes + m] (entries past the whole vectors have no column): a chunk c at a time, each
     * vector's sixteen entries read from one cache line and written to sixteen lines that the next
     * vectors fill further.
     */
    static void fill(BatchVectors in, int from, int to) {
        float[] columns = in.columns();
        int stride = in.stride();
        int whole = columns.length / stride;
        int chunks = whole / LANES;
        int end = Math.min(to, whole);
        for (int k = from; k < end;) {
            int c = k / LANES;
            int chunkEnd = Math.min(end, (c + 1) * LANES);
            for (int b = 0; b < in.batch(); b++) {
                float[] x = in.xs()[b];
                for (int j = k, at = ((j % LANES) * chunks + c) * stride + b; j < chunkEnd; j++, at += chunks * stride) {
                    columns[at] = x[j];
                }
            }
            k = chunkEnd;
        }
    }

    /**
     * Whether {@link #multiply} takes any count of two or more panels; else (the pair kernels only) an even count.
     */
    static boolean anyCount() {
        return VectorDot.WIDE_REGISTERS;
    }

    /**
     * outs[b][r] = W[r]·xs[b] for the rows of panels [from, to) (two or more; an even count unless
     * {@link #anyCount}) and the batch of {@code in}: where there are 32 vector registers, three panels
     * × eight sequences at a time (two panels where two or four are left), else two panels × four; then
     * the scalar tail of every row from {@code w}, W's own memory. Each broadcast x value serves one
     * FMA per panel of the group: with three panels rather than two, a batch-16 decode of mamba-130m
     * ran 14 % faster on average over five alternating rounds (docs/BENCHMARKS.md section 6). The
     * grouping never changes a sum.
     */
    void multiply(ByteBuffer w, BatchVectors in, float[][] outs, int from, int to) {
        int chunks = whole / LANES;
        int stride = in.stride();
        float[] columns = in.columns();
        float[] partials = partials(); // residue m, accumulator a → one vector at (m·SLOTS + a)·lanes
        int panel = LANES * whole;
        for (int p = from; p + 1 < to;) {
            int left = to - p;
            int group = anyCount() && left >= 3 && left != 4 ? 3 : 2; // three panels need the wide registers
            int b = 0;
            if (VectorDot.WIDE_REGISTERS) {
                for (; b + 8 <= stride; b += 8) {
                    for (int m = 0; m < LANES; m++) {
                        int at = p * panel + m * chunks * LANES;
                        int x0 = m * chunks * stride + b;
                        if (group == 3) {
                            threeEight(panels, at, panel, columns, x0, stride, chunks, partials, m * SLOTS * LANES);
                        } else {
                            eight(panels, at, at + panel, columns, x0, stride, chunks, partials, m * SLOTS * LANES);
                        }
                    }
                    store(partials, 8, group, outs, in.batch(), b, p);
                }
            }
            for (; b < stride; b += 4) {
                for (int m = 0; m < LANES; m++) {
                    int at = p * panel + m * chunks * LANES;
                    int x0 = m * chunks * stride + b;
                    if (group == 3) {
                        threeFour(panels, at, panel, columns, x0, stride, chunks, partials, m * SLOTS * LANES);
                    } else {
                        four(panels, at, at + panel, columns, x0, stride, chunks, partials, m * SLOTS * LANES);
                    }
                }
                store(partials, 4, group, outs, in.batch(), b, p);
            }
            if (whole < cols) {
                tail(w, in, outs, p * LANES, (p + group) * LANES);
            }
            p += group;
        }
    }

    /** Folds the block's accumulators ({@code group} panels × {@code width} sequences) into outs, padding sequences skipped. */
    private static void store(float[] partials, int width, int group, float[][] outs, int batch, int b, int p) {
        for (int a = 0; a < group * width; a++) {
            int sequence = b + a % width;
            if (sequence < batch) {
                fold(partials, a, SLOTS).intoArray(outs[sequence], (p + a / width) * LANES);
            }
        }
    }

    /** Each row's columns [whole, cols) added in order, as {@link VectorDot#f32Rows} adds them after its lane sum. */
    private void tail(ByteBuffer w, BatchVectors in, float[][] outs, int fromRow, int toRow) {
        for (int b = 0; b < in.batch(); b++) {
            float[] x = in.xs()[b];
            for (int r = fromRow; r < toRow; r++) {
                float s = outs[b][r];
                int at = Float.BYTES * r * cols;
                for (int j = whole; j < cols; j++) {
                    s += w.getFloat(at + Float.BYTES * j) * x[j];
                }
                outs[b][r] = s;
            }
        }
    }

    /**
     * Residue m's partial sums for panels u, v (at {@code p0}, {@code p1}) × sequences b … b + 7 (their
     * values at x0, one column every {@code stride}): sixteen FMA chains over the chunks in order, each
     * lane the chain {@link VectorDot#f32Rows} forms in lane m; stored at partials[at + a·lanes], a = panel·8 + sequence.
     */
    private static void eight(float[] panels, int p0, int p1, float[] columns, int x0, int stride, int chunks,
            float[] partials, int at) {
        FloatVector u0 = FloatVector.zero(FLOATS);
        FloatVector u1 = FloatVector.zero(FLOATS);
        FloatVector u2 = FloatVector.zero(FLOATS);
        FloatVector u3 = FloatVector.zero(FLOATS);
        FloatVector u4 = FloatVector.zero(FLOATS);
        FloatVector u5 = FloatVector.zero(FLOATS);
        FloatVector u6 = FloatVector.zero(FLOATS);
        FloatVector u7 = FloatVector.zero(FLOATS);
        FloatVector v0 = FloatVector.zero(FLOATS);
        FloatVector v1 = FloatVector.zero(FLOATS);
        FloatVector v2 = FloatVector.zero(FLOATS);
        FloatVector v3 = FloatVector.zero(FLOATS);
        FloatVector v4 = FloatVector.zero(FLOATS);
        FloatVector v5 = FloatVector.zero(FLOATS);
        FloatVector v6 = FloatVector.zero(FLOATS);
        FloatVector v7 = FloatVector.zero(FLOATS);
        for (int c = 0; c < chunks; c++) {
            FloatVector wu = FloatVector.fromArray(FLOATS, panels, p0 + c * LANES);
            FloatVector wv = FloatVector.fromArray(FLOATS, panels, p1 + c * LANES);
            int x = x0 + c * stride;
            FloatVector s = FloatVector.broadcast(FLOATS, columns[x]);
            u0 = wu.fma(s, u0);
            v0 = wv.fma(s, v0);
            s = FloatVector.broadcast(FLOATS, columns[x + 1]);
            u1 = wu.fma(s, u1);
            v1 = wv.fma(s, v1);
            s = FloatVector.broadcast(FLOATS, columns[x + 2]);
            u2 = wu.fma(s, u2);
            v2 = wv.fma(s, v2);
            s = FloatVector.broadcast(FLOATS, columns[x + 3]);
            u3 = wu.fma(s, u3);
            v3 = wv.fma(s, v3);
            s = FloatVector.broadcast(FLOATS, columns[x + 4]);
            u4 = wu.fma(s, u4);
            v4 = wv.fma(s, v4);
            s = FloatVector.broadcast(FLOATS, columns[x + 5]);
            u5 = wu.fma(s, u5);
            v5 = wv.fma(s, v5);
            s = FloatVector.broadcast(FLOATS, columns[x + 6]);
            u6 = wu.fma(s, u6);
            v6 = wv.fma(s, v6);
            s = FloatVector.broadcast(FLOATS, columns[x + 7]);
            u7 = wu.fma(s, u7);
            v7 = wv.fma(s, v7);
        }
        u0.intoArray(partials, at);
        u1.intoArray(partials, at + LANES);
        u2.intoArray(partials, at + 2 * LANES);
        u3.intoArray(partials, at + 3 * LANES);
        u4.intoArray(partials, at + 4 * LANES);
        u5.intoArray(partials, at + 5 * LANES);
        u6.intoArray(partials, at + 6 * LANES);
        u7.intoArray(partials, at + 7 * LANES);
        v0.intoArray(partials, at + 8 * LANES);
        v1.intoArray(partials, at + 9 * LANES);
        v2.intoArray(partials, at + 10 * LANES);
        v3.intoArray(partials, at + 11 * LANES);
        v4.intoArray(partials, at + 12 * LANES);
        v5.intoArray(partials, at + 13 * LANES);
        v6.intoArray(partials, at + 14 * LANES);
        v7.intoArray(partials, at + 15 * LANES);
    }

    /** {@link #eight} for four sequences (eight accumulators, a = panel·4 + sequence): 16 vector registers suffice. */
    private static void four(float[] panels, int p0, int p1, float[] columns, int x0, int stride, int chunks,
            float[] partials, int at) {
        FloatVector u0 = FloatVector.zero(FLOATS);
        FloatVector u1 = FloatVector.zero(FLOATS);
        FloatVector u2 = FloatVector.zero(FLOATS);
        FloatVector u3 = FloatVector.zero(FLOATS);
        FloatVector v0 = FloatVector.zero(FLOATS);
        FloatVector v1 = FloatVector.zero(FLOATS);
        FloatVector v2 = FloatVector.zero(FLOATS);
        FloatVector v3 = FloatVector.zero(FLOATS);
        for (int c = 0; c < chunks; c++) {
            FloatVector wu = FloatVector.fromArray(FLOATS, panels, p0 + c * LANES);
            FloatVector wv = FloatVector.fromArray(FLOATS, panels, p1 + c * LANES);
            int x = x0 + c * stride;
            FloatVector s = FloatVector.broadcast(FLOATS, columns[x]);
            u0 = wu.fma(s, u0);
            v0 = wv.fma(s, v0);
            s = FloatVector.broadcast(FLOATS, columns[x + 1]);
            u1 = wu.fma(s, u1);
            v1 = wv.fma(s, v1);
            s = FloatVector.broadcast(FLOATS, columns[x + 2]);
            u2 = wu.fma(s, u2);
            v2 = wv.fma(s, v2);
            s = FloatVector.broadcast(FLOATS, columns[x + 3]);
            u3 = wu.fma(s, u3);
            v3 = wv.fma(s, v3);
        }
        u0.intoArray(partials, at);
        u1.intoArray(partials, at + LANES);
        u2.intoArray(partials, at + 2 * LANES);
        u3.intoArray(partials, at + 3 * LANES);
        v0.intoArray(partials, at + 4 * LANES);
        v1.intoArray(partials, at + 5 * LANES);
        v2.intoArray(partials, at + 6 * LANES);
        v3.intoArray(partials, at + 7 * LANES);
    }

    /**
     * {@link #eight} for three panels (at {@code p0}, {@code p0 + panel}, {@code p0 + 2·panel}) × sequences
     * b … b + 7: twenty-four FMA chains, stored at partials[at + a·lanes], a = panel·8 + sequence.
     */
    private static void threeEight(float[] panels, int p0, int panel, float[] columns, int x0, int stride, int chunks,
            float[] partials, int at) {
        FloatVector u0 = FloatVector.zero(FLOATS);
        FloatVector u1 = FloatVector.zero(FLOATS);
        FloatVector u2 = FloatVector.zero(FLOATS);
        FloatVector u3 = FloatVector.zero(FLOATS);
        FloatVector u4 = FloatVector.zero(FLOATS);
        FloatVector u5 = FloatVector.zero(FLOATS);
        FloatVector u6 = FloatVector.zero(FLOATS);
        FloatVector u7 = FloatVector.zero(FLOATS);
        FloatVector v0 = FloatVector.zero(FLOATS);
        FloatVector v1 = FloatVector.zero(FLOATS);
        FloatVector v2 = FloatVector.zero(FLOATS);
        FloatVector v3 = FloatVector.zero(FLOATS);
        FloatVector v4 = FloatVector.zero(FLOATS);
        FloatVector v5 = FloatVector.zero(FLOATS);
        FloatVector v6 = FloatVector.zero(FLOATS);
        FloatVector v7 = FloatVector.zero(FLOATS);
        FloatVector w0 = FloatVector.zero(FLOATS);
        FloatVector w1 = FloatVector.zero(FLOATS);
        FloatVector w2 = FloatVector.zero(FLOATS);
        FloatVector w3 = FloatVector.zero(FLOATS);
        FloatVector w4 = FloatVector.zero(FLOATS);
        FloatVector w5 = FloatVector.zero(FLOATS);
        FloatVector w6 = FloatVector.zero(FLOATS);
        FloatVector w7 = FloatVector.zero(FLOATS);
        for (int c = 0; c < chunks; c++) {
            int o = p0 + c * LANES;
            FloatVector wu = FloatVector.fromArray(FLOATS, panels, o);
            FloatVector wv = FloatVector.fromArray(FLOATS, panels, o + panel);
            FloatVector ww = FloatVector.fromArray(FLOATS, panels, o + 2 * panel);
            int x = x0 + c * stride;
            FloatVector s = FloatVector.broadcast(FLOATS, columns[x]);
            u0 = wu.fma(s, u0);
            v0 = wv.fma(s, v0);
            w0 = ww.fma(s, w0);
            s = FloatVector.broadcast(FLOATS, columns[x + 1]);
            u1 = wu.fma(s, u1);
            v1 = wv.fma(s, v1);
            w1 = ww.fma(s, w1);
            s = FloatVector.broadcast(FLOATS, columns[x + 2]);
            u2 = wu.fma(s, u2);
            v2 = wv.fma(s, v2);
            w2 = ww.fma(s, w2);
            s = FloatVector.broadcast(FLOATS, columns[x + 3]);
            u3 = wu.fma(s, u3);
            v3 = wv.fma(s, v3);
            w3 = ww.fma(s, w3);
            s = FloatVector.broadcast(FLOATS, columns[x + 4]);
            u4 = wu.fma(s, u4);
            v4 = wv.fma(s, v4);
            w4 = ww.fma(s, w4);
            s = FloatVector.broadcast(FLOATS, columns[x + 5]);
            u5 = wu.fma(s, u5);
            v5 = wv.fma(s, v5);
            w5 = ww.fma(s, w5);
            s = FloatVector.broadcast(FLOATS, columns[x + 6]);
            u6 = wu.fma(s, u6);
            v6 = wv.fma(s, v6);
            w6 = ww.fma(s, w6);
            s = FloatVector.broadcast(FLOATS, columns[x + 7]);
            u7 = wu.fma(s, u7);
            v7 = wv.fma(s, v7);
            w7 = ww.fma(s, w7);
        }
        u0.intoArray(partials, at);
        u1.intoArray(partials, at + LANES);
        u2.intoArray(partials, at + 2 * LANES);
        u3.intoArray(partials, at + 3 * LANES);
        u4.intoArray(partials, at + 4 * LANES);
        u5.intoArray(partials, at + 5 * LANES);
        u6.intoArray(partials, at + 6 * LANES);
        u7.intoArray(partials, at + 7 * LANES);
        v0.intoArray(partials, at + 8 * LANES);
        v1.intoArray(partials, at + 9 * LANES);
        v2.intoArray(partials, at + 10 * LANES);
        v3.intoArray(partials, at + 11 * LANES);
        v4.intoArray(partials, at + 12 * LANES);
        v5.intoArray(partials, at + 13 * LANES);
        v6.intoArray(partials, at + 14 * LANES);
        v7.intoArray(partials, at + 15 * LANES);
        w0.intoArray(partials, at + 16 * LANES);
        w1.intoArray(partials, at + 17 * LANES);
        w2.intoArray(partials, at + 18 * LANES);
        w3.intoArray(partials, at + 19 * LANES);
        w4.intoArray(partials, at + 20 * LANES);
        w5.intoArray(partials, at + 21 * LANES);
        w6.intoArray(partials, at + 22 * LANES);
        w7.intoArray(partials, at + 23 * LANES);
    }

    /** {@link #threeEight} for four sequences (twelve accumulators, a = panel·4 + sequence). */
    private static void threeFour(float[] panels, int p0, int panel, float[] columns, int x0, int stride, int chunks,
            float[] partials, int at) {
        FloatVector u0 = FloatVector.zero(FLOATS);
        FloatVector u1 = FloatVector.zero(FLOATS);
        FloatVector u2 = FloatVector.zero(FLOATS);
        FloatVector u3 = FloatVector.zero(FLOATS);
        FloatVector v0 = FloatVector.zero(FLOATS);
        FloatVector v1 = FloatVector.zero(FLOATS);
        FloatVector v2 = FloatVector.zero(FLOATS);
        FloatVector v3 = FloatVector.zero(FLOATS);
        FloatVector w0 = FloatVector.zero(FLOATS);
        FloatVector w1 = FloatVector.zero(FLOATS);
        FloatVector w2 = FloatVector.zero(FLOATS);
        FloatVector w3 = FloatVector.zero(FLOATS);
        for (int c = 0; c < chunks; c++) {
            int o = p0 + c * LANES;
            FloatVector wu = FloatVector.fromArray(FLOATS, panels, o);
            FloatVector wv = FloatVector.fromArray(FLOATS, panels, o + panel);
            FloatVector ww = FloatVector.fromArray(FLOATS, panels, o + 2 * panel);
            int x = x0 + c * stride;
            FloatVector s = FloatVector.broadcast(FLOATS, columns[x]);
            u0 = wu.fma(s, u0);
            v0 = wv.fma(s, v0);
            w0 = ww.fma(s, w0);
            s = FloatVector.broadcast(FLOATS, columns[x + 1]);
            u1 = wu.fma(s, u1);
            v1 = wv.fma(s, v1);
            w1 = ww.fma(s, w1);
            s = FloatVector.broadcast(FLOATS, columns[x + 2]);
            u2 = wu.fma(s, u2);
            v2 = wv.fma(s, v2);
            w2 = ww.fma(s, w2);
            s = FloatVector.broadcast(FLOATS, columns[x + 3]);
            u3 = wu.fma(s, u3);
            v3 = wv.fma(s, v3);
            w3 = ww.fma(s, w3);
        }
        u0.intoArray(partials, at);
        u1.intoArray(partials, at + LANES);
        u2.intoArray(partials, at + 2 * LANES);
        u3.intoArray(partials, at + 3 * LANES);
        v0.intoArray(partials, at + 4 * LANES);
        v1.intoArray(partials, at + 5 * LANES);
        v2.intoArray(partials, at + 6 * LANES);
        v3.intoArray(partials, at + 7 * LANES);
        w0.intoArray(partials, at + 8 * LANES);
        w1.intoArray(partials, at + 9 * LANES);
        w2.intoArray(partials, at + 10 * LANES);
        w3.intoArray(partials, at + 11 * LANES);
    }

    /**
     * Accumulator a's partial sums over the residues m (at partials[(m·16 + a)·lanes]) added as
     * {@link VectorDot#lanesSum}'s fold adds lanes: m plus m + lanes/2, then plus a quarter, …, each
     * lane a row's sum. Written out (no array of vectors, which the JIT would allocate on the heap).
     */
    static FloatVector fold(float[] partials, int a) {
        return fold(partials, a, 16);
    }

    /** {@link #fold(float[], int)} over scratch with {@code slots} accumulators per residue: partials[(m·slots + a)·lanes]. */
    static FloatVector fold(float[] partials, int a, int slots) {
        if (LANES == 16) {
            FloatVector s0 = at(partials, slots, 0, a).add(at(partials, slots, 8, a));
            FloatVector s1 = at(partials, slots, 1, a).add(at(partials, slots, 9, a));
            FloatVector s2 = at(partials, slots, 2, a).add(at(partials, slots, 10, a));
            FloatVector s3 = at(partials, slots, 3, a).add(at(partials, slots, 11, a));
            FloatVector s4 = at(partials, slots, 4, a).add(at(partials, slots, 12, a));
            FloatVector s5 = at(partials, slots, 5, a).add(at(partials, slots, 13, a));
            FloatVector s6 = at(partials, slots, 6, a).add(at(partials, slots, 14, a));
            FloatVector s7 = at(partials, slots, 7, a).add(at(partials, slots, 15, a));
            return s0.add(s4).add(s2.add(s6)).add(s1.add(s5).add(s3.add(s7)));
        }
        FloatVector s0 = at(partials, slots, 0, a).add(at(partials, slots, 4, a));
        FloatVector s1 = at(partials, slots, 1, a).add(at(partials, slots, 5, a));
        FloatVector s2 = at(partials, slots, 2, a).add(at(partials, slots, 6, a));
        FloatVector s3 = at(partials, slots, 3, a).add(at(partials, slots, 7, a));
        return s0.add(s2).add(s1.add(s3));
    }

    private static FloatVector at(float[] partials, int slots, int m, int a) {
        return FloatVector.fromArray(FLOATS, partials, (m * slots + a) * LANES);
    }
}
