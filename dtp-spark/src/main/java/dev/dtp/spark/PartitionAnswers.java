package dev.dtp.spark;

import dev.dtp.bench.eval.SampleResult;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What one task sends back: its partition's answers in order, and each policy's image-cache setting
 * for the report.
 */
record PartitionAnswers(List<SampleResult> results, Map<String, String> imageCacheNotes) implements Serializable {
    PartitionAnswers {
        results = List.copyOf(results);
        imageCacheNotes = Map.copyOf(imageCacheNotes);
    }
}
