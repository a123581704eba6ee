package dev.dtp.mamba.decode;

/**
 * The vectors of one batched pass over a matrix, prepared once before the pass is split over the
 * cores ({@link RowMatrix#prepareBatch}, or {@link RowMatrix#emptyBatch} filled by the pass that
 * writes the vectors), so that every chunk of rows reads the same prepared form.
 *
 * @param xs the vectors, xs[b] for b in [0, batch)
 * @param batch how many of them
 * @param columns null, or the vectors in a panel copy's column order ({@link F32Panels}, {@link Q8Panels}), {@code stride} values
 *     per column (the batch rounded up, the extra values zero)
 * @param stride values per column in {@code columns}
 */
public record BatchVectors(float[][] xs, int batch, float[] columns, int stride) {
    public BatchVectors {
        if (batch < 1 || batch > xs.length) {
            throw new IllegalArgumentException("a batch of " + batch + " from " + xs.length + " vectors");
        }
    }

    /** The vectors as they are, for a kernel that reads them row by row. */
    public static BatchVectors of(float[][] xs, int batch) {
        return new BatchVectors(xs, batch, null, 0);
    }
}
