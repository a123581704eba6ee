package dev.dtp.bench.eval;

import dev.dtp.bench.data.EvalSample;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where an evaluation's answers are computed: this JVM ({@link LoadedEval}) or a cluster
 * ({@link EvalCluster}). Opening one loads or checks the model, so bad flags fail before any output
 * is written; closing it frees the model or the cluster.
 */
public interface EvalSession extends AutoCloseable {
    /**
     * Answers, under every policy, each question whose key ({@link EvalRun#key}) is not in {@code done}.
     * Results reach {@code sink} in this JVM, image by image in the order of {@code images}.
     *
     * @param images the samples grouped by image ({@link EvalRun#byImage})
     */
    void answer(List<List<EvalSample>> images, Set<String> done, Consumer<SampleResult> sink);

    /** Per policy: "on", "off", or why the image cache was off for it; empty if unknown. */
    Map<String, String> imageCacheNotes();

    /** Per policy: wall time and peak memory of its answers; empty where not measured (a cluster). */
    default Map<String, PolicyCost> costs() {
        return Map.of();
    }

    @Override
    void close();
}
