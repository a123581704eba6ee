package dev.dtp.spark;

import java.util.concurrent.ForkJoinPool;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of one executor JVM, from Spark's settings: each task's libtorch operations use
 * {@code spark.task.cpus} threads, and the Java scan's parallel loops share one pool as wide as the
 * executor's cores (the common pool's workers plus the calling thread, as the JVM sizes it by
 * default), so {@code executor cores / task cpus} concurrent tasks keep the executor's cores busy
 * without oversubscribing them.
 *
 * @param executorCores cores of one executor JVM
 * @param taskCpus cores of one task
 */
record TaskThreads(int executorCores, int taskCpus) {
    private static final Logger LOG = LoggerFactory.getLogger(TaskThreads.class);
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");

    static final String TORCH_THREADS = "ai.djl.pytorch.num_threads";
    static final String TORCH_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    static final String POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    TaskThreads {
        if (executorCores < 1 || taskCpus < 1) {
            throw new IllegalArgumentException("executor cores " + executorCores + " and task cpus " + taskCpus + " must be >= 1");
        }
    }

    /** The executor of a local master ({@code local}, {@code local[N]}, {@code local[*]}, {@code local[N,F]}), or null for a cluster. */
    static TaskThreads ofLocal(String master, SparkConf conf) {
        Matcher m = LOCAL.matcher(master);
        if (!m.matches()) {
            return null;
        }
        int cores = m.group(1) == null ? 1 : m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(m.group(1));
        return new TaskThreads(cores, conf.getInt("spark.task.cpus", 1));
    }

    /** A cluster executor, from its configuration ({@code spark.executor.cores} unset: the machine's cores). */
    static TaskThreads ofExecutor(SparkConf conf, int taskCpus) {
        return new TaskThreads(conf.getInt("spark.executor.cores", Runtime.getRuntime().availableProcessors()), taskCpus);
    }

    /** The JVM flags that give an executor these settings from its start. */
    String javaOptions() {
        return "-D" + TORCH_THREADS + "=" + taskCpus + " -D" + TORCH_INTEROP_THREADS + "=1 -D" + POOL_PARALLELISM + "="
                + poolParallelism();
    }

    /**
     * Sets the properties libtorch reads when the engine starts and the common pool reads when first
     * used; warns when this JVM already fixed other values.
     */
    void apply() {
        System.setProperty(TORCH_THREADS, Integer.toString(taskCpus));
        System.setProperty(TORCH_INTEROP_THREADS, "1");
        System.setProperty(POOL_PARALLELISM, Integer.toString(poolParallelism()));
        int pool = ForkJoinPool.getCommonPoolParallelism();
        if (pool != poolParallelism()) {
            LOG.warn("the Java scan's pool already has {} workers in this JVM, not {} for the executor's {} cores", pool,
                    poolParallelism(), executorCores);
        }
    }

    /** Common-pool workers: the callers' threads take the remaining core. */
    int poolParallelism() {
        return Math.max(1, executorCores - 1);
    }
}
