package dev.dtp.spark;

import dev.dtp.bench.eval.SampleResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hands the partitions' answers to the driver's sink in partition order, whatever order the tasks
 * finish in: a partition's answers wait until every earlier partition's have gone. Partitions are
 * consecutive runs of images, so the sink sees the single-JVM run's order, and an interrupted run
 * leaves a prefix of it in predictions.jsonl.
 */
final class OrderedCommit {
    private final int partitions;
    private final Consumer<SampleResult> sink;
    private final Map<Integer, List<SampleResult>> waiting = new HashMap<>();
    private int next;

    OrderedCommit(int partitions, Consumer<SampleResult> sink) {
        this.partitions = partitions;
        this.sink = sink;
    }

    /** One partition's answers; each partition exactly once. */
    synchronized void accept(int partition, List<SampleResult> results) {
        if (partition < next || partition >= partitions || waiting.containsKey(partition)) {
            throw new IllegalStateException("partition " + partition + " committed twice or out of range (0.." + (partitions - 1) + ")");
        }
        waiting.put(partition, results);
        while (waiting.containsKey(next)) {
            waiting.remove(next).forEach(sink);
            next++;
        }
    }

    /** Whether every partition's answers have gone to the sink. */
    synchronized boolean complete() {
        return next == partitions;
    }
}
