package dev.dtp.spark;

import dev.dtp.bench.cli.CommonOptions;
import dev.dtp.bench.eval.EvalJob;
import dev.dtp.bench.eval.LoadedEval;
import dev.dtp.mamba.model.MambaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models loaded in this JVM, one per job: the first task of a job on an executor loads it and
 * every later task (of any partition, in any thread) reuses it. Models are closed when the JVM
 * exits, or by {@link #closeAll} where the driver runs the tasks itself (local mode).
 */
final class ExecutorModels {
    private static final Map<EvalJob, LoadedEval> LOADED = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "dtp-close-models"));
    }

    private ExecutorModels() {
    }

    /** The job's model, loaded with {@code threads} applied first if this JVM has not loaded it yet. */
    static LoadedEval get(EvalJob job, TaskThreads threads) {
        return LOADED.computeIfAbsent(job, j -> {
            threads.apply();
            return j.load(MambaModel.builder().device(CommonOptions.device(j.device())));
        });
    }

    static boolean isLoaded(EvalJob job) {
        return LOADED.containsKey(job);
    }

    /** Closes every model loaded in this JVM. */
    static void closeAll() {
        List<LoadedEval> all = new ArrayList<>(LOADED.values());
        LOADED.clear();
        all.forEach(LoadedEval::close);
    }
}
