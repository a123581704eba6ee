package dev.dtp.bench.data.benchmarks;

import dev.dtp.bench.data.EvalSample;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a benchmark loader produced.
 *
 * @param samples in source-file order, image paths absolute
 * @param missingImages entries skipped because their image file was absent (only with
 *     {@link LoadOptions#allowMissingImages()}; otherwise a missing image is an error)
 */
public record LoadResult(List<EvalSample> samples, int missingImages) {
    public LoadResult {
        samples = List.copyOf(samples);
    }

    /** Sample count per subset, sorted by subset; empty when no sample has a subset. */
    public Map<String, Integer> perSubset() {
        Map<String, Integer> counts = new TreeMap<>();
        for (EvalSample s : samples) {
            if (s.subset() != null) {
                counts.merge(s.subset(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
