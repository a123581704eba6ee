package dev.dtp.spark;

import dev.dtp.bench.eval.EvalJob;
import dev.dtp.bench.eval.LoadedEval;
import dev.dtp.bench.eval.SampleResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.Function2;
import scala.Option;
import scala.collection.Iterator;

/**
 * One Spark task: answers the images of one partition with the executor's model for the job and
 * returns the answers. A task writes nothing, so a failed attempt leaves no trace and Spark's retry
 * starts clean; the driver gets one result per partition.
 */
final class ImageTask implements Function2<TaskContext, Iterator<ImageWork>, PartitionAnswers>, Serializable {
    private final EvalJob job;
    private final int failingAttempts;

    /** @param failingAttempts for tests: attempts of partition 0 that fail after answering their first image */
    ImageTask(EvalJob job, int failingAttempts) {
        this.job = job;
        this.failingAttempts = failingAttempts;
    }

    @Override
    public PartitionAnswers apply(TaskContext context, Iterator<ImageWork> images) {
        EvalJob onDevice = onTaskGpu(job, context);
        LoadedEval eval = ExecutorModels.get(onDevice, TaskThreads.ofExecutor(SparkEnv.get().conf(), context.cpus()));
        List<SampleResult> out = new ArrayList<>();
        while (images.hasNext()) {
            ImageWork image = images.next();
            eval.run().answerImage(image.toSamples(), image.done(), out::add);
            if (context.partitionId() == 0 && context.attemptNumber() < failingAttempts) {
                throw new IllegalStateException("injected failure of partition 0, attempt " + context.attemptNumber());
            }
        }
        return new PartitionAnswers(out, eval.imageCacheNotes());
    }

    /** {@code --device gpu} means the GPU Spark assigned to the task, where it assigned one. */
    private static EvalJob onTaskGpu(EvalJob job, TaskContext context) {
        Option<ResourceInformation> gpu = context.resources().get("gpu");
        if (!job.device().equals("gpu") || gpu.isEmpty() || gpu.get().addresses().length == 0) {
            return job;
        }
        return new EvalJob(job.model(), job.calibration(), job.policies(), job.settings(), "gpu:" + gpu.get().addresses()[0]);
    }
}
