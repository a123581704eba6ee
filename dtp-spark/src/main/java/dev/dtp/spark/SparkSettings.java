package dev.dtp.spark;

import org.apache.spark.SparkConf;

/**
 * The Spark configuration of a dtp eval job: the master, quiet console output, and for executors in
 * other JVMs the environment and JVM flags {@code ./dtp} gives its own JVM (offline DJL, passive
 * OpenMP waits, the vector module, thread counts from the executor's cores). Settings the user made
 * (spark-submit, spark.* system properties) win.
 */
final class SparkSettings {
    private SparkSettings() {
    }

    static SparkConf of(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("dtp eval");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // the answers of a whole benchmark pass through the driver (a few hundred bytes each), written as they come
        conf.setIfMissing("spark.driver.maxResultSize", "0");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            return conf;
        }
        conf.setIfMissing("spark.executorEnv.DJL_OFFLINE", "true");
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        conf.setIfMissing("spark.executorEnv.GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=134217728");
        String options = "-Doffline=true --add-modules jdk.incubator.vector -Xss4m";
        if (conf.contains("spark.executor.cores")) {
            options += " " + TaskThreads.ofExecutor(conf, conf.getInt("spark.task.cpus", 1)).javaOptions();
        }
        conf.set("spark.executor.extraJavaOptions", (conf.get("spark.executor.extraJavaOptions", "") + " " + options).trim());
        return conf;
    }
}
