package dev.dtp.bench.data.benchmarks;

/**
 * How a benchmark loader reads its source files.
 *
 * @param limit at most this many samples from each question file (POPE has one per subset, the others one),
 *     at least 1; {@link Integer#MAX_VALUE} for all
 * @param allowMissingImages skip (and count) entries whose image file is absent instead of failing
 */
public record LoadOptions(int limit, boolean allowMissingImages) {
    /** Every entry; a missing image is an error. */
    public static final LoadOptions ALL = new LoadOptions(Integer.MAX_VALUE, false);

    public LoadOptions {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1: " + limit);
        }
    }

    public LoadOptions withLimit(int newLimit) {
        return new LoadOptions(newLimit, allowMissingImages);
    }

    public LoadOptions allowingMissingImages() {
        return new LoadOptions(limit, true);
    }
}
