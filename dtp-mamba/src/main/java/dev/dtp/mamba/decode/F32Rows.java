package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A float32 matrix over native memory (typically a libtorch tensor's own data, not a copy). For a
 * batched step of {@link #PANEL_MIN_BATCH} or more sequences it also keeps, built at the first such
 * step, a copy of its rows in panels on the Java heap ({@link F32Panels}), which the batch kernel
 * streams while it computes — the same results bit for bit, at the cost of that copy's memory. The
 * copy is made only when the heap has twice its size free, and never with
 * {@code -Ddtp.decode.panels=off}; without it the row kernel serves every batch.
 */
public final class F32Rows implements RowMatrix {
    /**
     * Smallest batch that uses the panels. A single vector leaves the row kernel memory-bound: it reads W
     * where it lies at the memory bandwidth, and the panels could go no faster. From two sequences on the
     * row kernel computes more than it streams, and the panels ran 1.3–1.5× faster (docs/BENCHMARKS.md section 6).
     */
    public static final int PANEL_MIN_BATCH = 2;
    /** {@code off} disables the panels (the batched step then reads only the native rows). */
    public static final String PANELS_PROPERTY = "dtp.decode.panels";

    private final ByteBuffer data;
    private final int rows;
    private final int cols;
    private final PanelCopy<F32Panels> panels = new PanelCopy<>();

    public F32Rows(ByteBuffer data, int rows, int cols) {
        this.data = data.duplicate().order(ByteOrder.nativeOrder());
        this.rows = rows;
        this.cols = cols;
        if ((long) rows * cols * Float.BYTES > data.capacity()) {
            throw new IllegalArgumentException("a (" + rows + ", " + cols + ") float32 matrix needs "
                    + (long) rows * cols * Float.BYTES + " bytes, the buffer has " + data.capacity());
        }
    }

    /** The matrix's memory, native order, row-major. */
    public ByteBuffer data() {
        return data;
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
        return (long) rows * cols * Float.BYTES;
    }

    /** Heap bytes of the panel copy, 0 while there is none. */
    public long panelBytes() {
        return panels.built() == null ? 0 : F32Panels.bytes(rows, cols);
    }

    @Override
    public void multiply(float[] x, float[] out, int from, int to) {
        VectorDot.f32Rows(data, cols, x, out, from, to);
    }

    /** For a batch of at least {@link #PANEL_MIN_BATCH}: room for the vectors in the panels' column order (the panels built first if need be). */
    @Override
    public BatchVectors emptyBatch(float[][] xs, int batch) {
        F32Panels p = batch >= PANEL_MIN_BATCH ? panels() : null;
        return p == null ? BatchVectors.of(xs, batch) : F32Panels.emptyColumns(xs, batch, cols);
    }

    /** Two panels for vectors in panel order (the fewest the panel kernel takes), else one row. */
    @Override
    public int batchGranule(BatchVectors in) {
        return in.columns() == null ? 1 : 2 * F32Panels.lanes();
    }

    @Override
    public void multiplyBatch(BatchVectors in, float[][] outs, int from, int to) {
        if (in.columns() == null) {
            VectorDot.f32RowsBatch(data, cols, in.xs(), outs, in.batch(), from, to);
            return;
        }
        F32Panels p = panels.built();
        if (p == null || !p.fits(in)) {
            throw new IllegalArgumentException("batch vectors in panel order that this (" + rows + ", " + cols
                    + ") matrix did not prepare: pass the result of its own prepareBatch");
        }
        // two or more whole panels inside [from, to) (an even count unless any count will do) from the
        // panels, the rows around them from the row kernel
        int lanes = F32Panels.lanes();
        int first = (from + lanes - 1) / lanes;
        int last = Math.min(p.count(), to / lanes);
        if (last - first < 2) {
            VectorDot.f32RowsBatch(data, cols, in.xs(), outs, in.batch(), from, to);
            return;
        }
        if (!F32Panels.anyCount()) {
            last -= (last - first) % 2;
        }
        VectorDot.f32RowsBatch(data, cols, in.xs(), outs, in.batch(), from, first * lanes);
        p.multiply(data, in, outs, first, last);
        VectorDot.f32RowsBatch(data, cols, in.xs(), outs, in.batch(), last * lanes, to);
    }

    @Override
    public void row(int i, float[] out, int offset) {
        data.asFloatBuffer().get(i * cols, out, offset, cols);
    }

    /** The panel copy, built on first use where it is wanted and affordable ({@link PanelCopy}); null otherwise. */
    private F32Panels panels() {
        boolean wanted = F32Panels.supported() && rows >= 2 * F32Panels.lanes() && cols >= F32Panels.lanes()
                && F32Panels.bytes(rows, cols) / Float.BYTES <= Integer.MAX_VALUE - 16;
        return panels.get(wanted, F32Panels.bytes(rows, cols), () -> F32Panels.of(data, rows, cols));
    }
}
