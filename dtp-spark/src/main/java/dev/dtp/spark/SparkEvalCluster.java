package dev.dtp.spark;

import dev.dtp.bench.eval.EvalCluster;
import dev.dtp.bench.eval.EvalJob;
import dev.dtp.bench.eval.EvalSession;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code dtp eval --spark MASTER} on Apache Spark. The master is any Spark master URL; everything
 * else comes from the usual Spark configuration ({@code spark-submit --conf}, {@code spark.*} system
 * properties, spark-defaults.conf). In local mode the tasks run in this JVM, which loads the model
 * once for all of them before the job starts.
 */
public final class SparkEvalCluster implements EvalCluster {
    private final int failingAttempts;

    public SparkEvalCluster() {
        this(0);
    }

    /** @param failingAttempts for tests: attempts of partition 0 that fail on purpose */
    SparkEvalCluster(int failingAttempts) {
        this.failingAttempts = failingAttempts;
    }

    @Override
    public EvalSession open(String master, EvalJob job) {
        ModelFiles.check(job);
        SparkConf conf = SparkSettings.of(master);
        TaskThreads local = TaskThreads.ofLocal(master, conf);
        if (local != null) {
            ExecutorModels.get(job, local); // the driver is the executor: load (and check) the model before the job
        }
        JavaSparkContext spark = new JavaSparkContext(conf);
        spark.setLogLevel("WARN");
        return new SparkEvalSession(spark, job, new ImageTask(job, failingAttempts), local != null);
    }
}
