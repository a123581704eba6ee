package dev.dtp.spark;

import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.eval.EvalJob;
import dev.dtp.bench.eval.EvalSession;
import dev.dtp.bench.eval.SampleResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Function2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.BoxedUnit;

/**
 * The driver's side of a Spark eval: the pending images, as consecutive runs of whole images, become
 * the partitions of one job; each partition's answers come back as its task's result, and go to the
 * sink in input order ({@link OrderedCommit}). Spark hands the driver one result per partition, so a
 * retried or speculative task never adds lines.
 */
final class SparkEvalSession implements EvalSession {
    /** Upper bound on a partition's images, so answers reach predictions.jsonl (and a resume) steadily. */
    static final int MAX_IMAGES_PER_PARTITION = 32;

    private final JavaSparkContext spark;
    private final EvalJob job;
    private final ImageTask task;
    private final boolean local;
    private final Map<String, String> notes = new LinkedHashMap<>();

    SparkEvalSession(JavaSparkContext spark, EvalJob job, ImageTask task, boolean local) {
        this.spark = spark;
        this.job = job;
        this.task = task;
        this.local = local;
    }

    @Override
    public void answer(List<List<EvalSample>> images, Set<String> done, Consumer<SampleResult> sink) {
        List<ImageWork> work = new ArrayList<>();
        for (List<EvalSample> image : images) {
            ImageWork w = ImageWork.pending(image, job.policies(), done);
            if (w != null) {
                work.add(w);
            }
        }
        if (work.isEmpty()) {
            return;
        }
        int partitions = partitions(work.size(), spark.defaultParallelism());
        JavaRDD<ImageWork> rdd = spark.parallelize(work, partitions);
        OrderedCommit commit = new OrderedCommit(partitions, sink);
        Function2<Object, PartitionAnswers, BoxedUnit> arrived = (partition, answers) -> {
            synchronized (notes) {
                notes.putAll(answers.imageCacheNotes());
            }
            commit.accept((Integer) partition, answers.results());
            return BoxedUnit.UNIT;
        };
        ClassTag<PartitionAnswers> type = ClassTag$.MODULE$.apply(PartitionAnswers.class);
        try {
            spark.sc().runJob(rdd.rdd(), task, arrived, type);
        } catch (Exception e) { // Scala throws SparkException, a checked exception, undeclared
            throw failed(e);
        }
        if (!commit.complete()) {
            throw new IllegalStateException("the Spark job ended before every partition's answers arrived");
        }
    }

    /** At least one partition per core, at most {@link #MAX_IMAGES_PER_PARTITION} images each. */
    static int partitions(int images, int parallelism) {
        int byCores = Math.min(images, Math.max(1, parallelism));
        int bySize = (images + MAX_IMAGES_PER_PARTITION - 1) / MAX_IMAGES_PER_PARTITION;
        return Math.max(byCores, bySize);
    }

    /** The task's own exception message instead of Spark's page of stack traces. */
    private static RuntimeException failed(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String m = String.valueOf(cause.getMessage());
        return new IllegalStateException("dtp eval on Spark failed: " + m.lines().findFirst().orElse(m), e);
    }

    @Override
    public Map<String, String> imageCacheNotes() {
        if (local && ExecutorModels.isLoaded(job)) {
            return ExecutorModels.get(job, null).imageCacheNotes();
        }
        synchronized (notes) {
            return new LinkedHashMap<>(notes);
        }
    }

    @Override
    public void close() {
        try {
            spark.stop();
        } finally {
            if (local) {
                ExecutorModels.closeAll();
            }
        }
    }
}
