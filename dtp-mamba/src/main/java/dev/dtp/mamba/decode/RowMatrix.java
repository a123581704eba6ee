package dev.dtp.mamba.decode;

/**
 * A weight matrix W of shape (rows, cols), read row by row straight from its memory, as the decode
 * step multiplies it with one vector. Immutable views; safe to share between threads.
 */
public sealed interface RowMatrix permits F32Rows, Q8Rows {
    int rows();

    int cols();

    /** Bytes one full pass over the matrix reads. */
    long bytes();

    /** out[i] = W[i]·x for rows i in [from, to); each row is summed by one thread in a fixed order. */
    void multiply(float[] x, float[] out, int from, int to);

    /**
     * outs[b][i] = W[i]·xs[b] for rows i in [from, to) and the first {@code batch} vectors: the rows
     * are read once for all of them, and each result equals {@link #multiply}'s bit for bit.
     */
    default void multiplyBatch(float[][] xs, float[][] outs, int batch, int from, int to) {
        multiplyBatch(prepareBatch(xs, batch), outs, from, to);
    }

    /**
     * The first {@code batch} of {@code xs} in the form this matrix's batch kernel reads, made once
     * for a whole pass before its rows are split over the cores; may build the matrix's batch layout
     * on first use ({@link F32Rows}, {@link Q8Rows}).
     */
    default BatchVectors prepareBatch(float[][] xs, int batch) {
        BatchVectors in = emptyBatch(xs, batch);
        fillBatch(in, 0, cols());
        return in;
    }

    /**
     * {@link #prepareBatch} in two halves, for vectors a parallel pass is still writing: this form with
     * its copy in panel column order (if it has one) allocated but not yet filled. The pass that writes
     * entries [from, to) of every vector then copies them with {@link #fillBatch}, on its own core,
     * while they are in its cache; the copy is complete once every entry has been filled.
     */
    default BatchVectors emptyBatch(float[][] xs, int batch) {
        return BatchVectors.of(xs, batch);
    }

    /** Copies entries [from, to) of the vectors of {@code in} (from {@link #emptyBatch}) into its column copy, if it has one. */
    default void fillBatch(BatchVectors in, int from, int to) {
        if (in.columns() != null) {
            F32Panels.fill(in, from, to);
        }
    }

    /** {@link #multiplyBatch(float[][], float[][], int, int, int)} over vectors {@link #prepareBatch prepared} for this matrix. */
    void multiplyBatch(BatchVectors in, float[][] outs, int from, int to);

    /**
     * Rows the batch kernel takes at a time for vectors {@code in} (prepared by this matrix): a pass
     * split over the cores cuts its rows at multiples of this, as a cut block goes to a slower kernel.
     */
    default int batchGranule(BatchVectors in) {
        return 1;
    }

    /** Row {@code i} as floats, into {@code out[offset, offset + cols)}. */
    void row(int i, float[] out, int offset);
}
