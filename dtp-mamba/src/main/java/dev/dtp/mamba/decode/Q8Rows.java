package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;

/**
 * A matrix in Q8_0 form: each row cut into blocks of {@link #BLOCK} values, each block stored as
 * int8 quants q and one float32 scale s, W[i, j] ≈ s · q. On the Java heap: the int8 kernel reads
 * heap arrays about 40% faster than native memory (the whole copy is 28% of float32). For a batched
 * step of {@link F32Rows#PANEL_MIN_BATCH} or more sequences it also keeps, built at the first such
 * step, a copy in panels ({@link Q8Panels}) — the same results bit for bit — under the rules of
 * {@link F32Rows}'s panels: only while the heap has twice its size free, never with
 * {@code -Ddtp.decode.panels=off}.
 */
public final class Q8Rows implements RowMatrix {
    /** Values per scale, as llama.cpp's Q8_0. */
    public static final int BLOCK = 32;

    private final byte[] quants;
    private final float[] scales;
    private final int rows;
    private final int cols;
    private final PanelCopy<Q8Panels> panels = new PanelCopy<>();

    /**
     * @param quants (rows, cols) int8, row-major
     * @param scales (rows, cols / BLOCK), row-major
     */
    public Q8Rows(byte[] quants, float[] scales, int rows, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 needs a column count divisible by " + BLOCK + ", got " + cols);
        }
        if (quants.length != (long) rows * cols || scales.length != (long) rows * (cols / BLOCK)) {
            throw new IllegalArgumentException("arrays do not fit a (" + rows + ", " + cols + ") Q8_0 matrix");
        }
        this.quants = quants;
        this.scales = scales;
        this.rows = rows;
        this.cols = cols;
    }

    /** The quants, (rows, cols) row-major. */
    public byte[] quants() {
        return quants;
    }

    /** The scales, (rows, cols / BLOCK) row-major. */
    public float[] scales() {
        return scales;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return (long) rows * cols + (long) rows * (cols / BLOCK) * Float.BYTES;
    }

    /** Heap bytes of the panel copy, 0 while there is none. */
    public long panelBytes() {
        return panels.built() == null ? 0 : Q8Panels.bytes(rows, cols);
    }

    @Override
    public void multiply(float[] x, float[] out, int from, int to) {
        VectorQ8.rows(quants, scales, cols, x, out, from, to);
    }

    /** For a batch of at least {@link F32Rows#PANEL_MIN_BATCH}: room for the vectors in panel column order (the panels built first if need be). */
    @Override
    public BatchVectors emptyBatch(float[][] xs, int batch) {
        Q8Panels p = batch >= F32Rows.PANEL_MIN_BATCH ? panels() : null;
        return p == null ? BatchVectors.of(xs, batch) : F32Panels.emptyColumns(xs, batch, cols);
    }

    /** One panel for vectors in panel order (the panel kernel's block), else one row. */
    @Override
    public int batchGranule(BatchVectors in) {
        return in.columns() == null ? 1 : Q8Panels.lanes();
    }

    @Override
    public void multiplyBatch(BatchVectors in, float[][] outs, int from, int to) {
        if (in.columns() == null) {
            VectorQ8.rowsBatch(quants, scales, cols, in.xs(), outs, in.batch(), from, to);
            return;
        }
        Q8Panels p = panels.built();
        if (p == null || !p.fits(in)) {
            throw new IllegalArgumentException("batch vectors in panel order that this (" + rows + ", " + cols
                    + ") Q8_0 matrix did not prepare: pass the result of its own prepareBatch");
        }
        // whole panels inside [from, to) from the panels, the rows around them from the row kernel
        int lanes = Q8Panels.lanes();
        int first = (from + lanes - 1) / lanes;
        int last = Math.min(p.count(), to / lanes);
        if (last <= first) {
            VectorQ8.rowsBatch(quants, scales, cols, in.xs(), outs, in.batch(), from, to);
            return;
        }
        VectorQ8.rowsBatch(quants, scales, cols, in.xs(), outs, in.batch(), from, first * lanes);
        p.multiply(in, outs, first, last);
        VectorQ8.rowsBatch(quants, scales, cols, in.xs(), outs, in.batch(), last * lanes, to);
    }

    @Override
    public void row(int i, float[] out, int offset) {
        int blocks = cols / BLOCK;
        for (int b = 0; b < blocks; b++) {
            float s = scales[i * blocks + b];
            int q = i * cols + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                out[offset + b * BLOCK + j] = s * quants[q + j];
            }
        }
    }

    /**
     * W[i, j] = s · q for rows [from, to), written as float32 into {@code target} (native order, from
     * byte 0); rows split over the cores.
     */
    public void dequantize(int from, int to, ByteBuffer target) {
        if ((long) (to - from) * cols * Float.BYTES > target.capacity()) {
            throw new IllegalArgumentException("target too small for rows [" + from + ", " + to + ")");
        }
        RowSplit.run(to - from, cols, (a, b) -> VectorQ8.dequantize(quants, scales, cols, from + a, from + b, from, target));
    }

    /** The value at row-major {@code index}, dequantised. */
    public float get(long index) {
        int i = Math.toIntExact(index);
        return scales[i / BLOCK] * quants[i];
    }

    /** The panel copy, built on first use where it is wanted and affordable ({@link PanelCopy}); null otherwise. */
    private Q8Panels panels() {
        boolean wanted = Q8Panels.supported() && rows >= Q8Panels.lanes() && (long) rows * cols <= Integer.MAX_VALUE - 16;
        return panels.get(wanted, Q8Panels.bytes(rows, cols), () -> Q8Panels.of(quants, scales, rows, cols));
    }
}
