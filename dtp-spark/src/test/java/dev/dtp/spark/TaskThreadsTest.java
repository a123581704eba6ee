package dev.dtp.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class TaskThreadsTest {
    @Test
    void aLocalMasterIsOneExecutorWithItsCores() {
        SparkConf conf = new SparkConf(false);
        assertEquals(new TaskThreads(1, 1), TaskThreads.ofLocal("local", conf));
        assertEquals(new TaskThreads(3, 1), TaskThreads.ofLocal("local[3]", conf));
        assertEquals(new TaskThreads(2, 1), TaskThreads.ofLocal("local[2,4]", conf));
        assertEquals(Runtime.getRuntime().availableProcessors(), TaskThreads.ofLocal("local[*]", conf).executorCores());
        assertEquals(new TaskThreads(4, 2), TaskThreads.ofLocal("local[4]", conf.clone().set("spark.task.cpus", "2")));
        assertNull(TaskThreads.ofLocal("spark://host:7077", conf));
    }

    @Test
    void executorsGetTaskCpusTorchThreadsAndTheirCoresForTheScan() {
        TaskThreads t = TaskThreads.ofExecutor(new SparkConf(false).set("spark.executor.cores", "8"), 2);
        assertEquals("-Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 "
                + "-Djava.util.concurrent.ForkJoinPool.common.parallelism=7", t.javaOptions());
    }

    @Test
    void partitionsHaveAtLeastOneImagePerCoreAndAtMostThirtyTwoImages() {
        assertEquals(2, SparkEvalSession.partitions(12, 2));
        assertEquals(3, SparkEvalSession.partitions(3, 8));
        assertEquals(7, SparkEvalSession.partitions(200, 2));
        assertEquals(16, SparkEvalSession.partitions(200, 16));
    }
}
