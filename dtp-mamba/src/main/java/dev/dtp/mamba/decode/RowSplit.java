package dev.dtp.mamba.decode;

import java.util.stream.IntStream;

/**
 * Splits the rows of one pass over the cores: contiguous chunks on the common fork-join pool, the
 * calling thread taking a share. Chunks are at least {@link #MIN_BYTES} of weights (smaller ones
 * cost more to hand off than to compute) and a few per core, so that a core another process holds
 * back does not stall the pass.
 */
final class RowSplit {
    /** Work in one chunk: rows [from, to). */
    interface Rows {
        void run(int from, int to);
    }

    static final int MIN_BYTES = 1 << 16;
    private static final int CHUNKS_PER_CORE = 2;

    private RowSplit() {}

    /** Runs {@code body} over [0, rows) in parallel chunks; {@code rowBytes}: weight bytes a row reads. */
    static void run(int rows, long rowBytes, Rows body) {
        int cores = Runtime.getRuntime().availableProcessors();
        long byWork = rows * Math.max(1, rowBytes) / MIN_BYTES;
        int chunks = (int) Math.max(1, Math.min(Math.min(rows, (long) cores * CHUNKS_PER_CORE), byWork));
        if (chunks == 1) {
            body.run(0, rows);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> body.run(bound(c, chunks, rows), bound(c + 1, chunks, rows)));
    }

    private static int bound(int chunk, int chunks, int rows) {
        return (int) ((long) rows * chunk / chunks);
    }
}
