package dev.dtp.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.ShapesVqaSample;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Stage two of the recipe: the language model (with the vision front end unless frozen) learns to
 * answer, with Adam on the recipe's schedule; it is validated, logged and saved every
 * {@code evalEvery} steps and after the last.
 */
final class LanguageModelStage {
    private final TrainingRecipe recipe;
    private final VlmParameters params;
    private final ShapesVqaBatches batches;
    private final TrainingData data;
    private final TrainingLog log;

    LanguageModelStage(TrainingRecipe recipe, VlmParameters params, ShapesVqaBatches batches, TrainingData data,
            TrainingLog log) {
        this.recipe = recipe;
        this.params = params;
        this.batches = batches;
        this.data = data;
        this.log = log;
    }

    void run(NDManager manager, PrintWriter o) throws IOException {
        TrainingRecipe.Schedule schedule = recipe.schedule();
        MambaTrainer trainer = new MambaTrainer(params);
        Validation validation = new Validation(trainer, batches);
        Adam adam = new Adam(trainable(), manager, 0.01, 1.0);
        // one seeded stream both shuffles the epochs and picks each sample's follow-up questions
        SplittableRandom rng = new SplittableRandom(recipe.seed());
        EpochSampler<ShapesVqaSample> sampler = new EpochSampler<>(data.train(), rng);
        Progress progress = new Progress(o, "train", schedule.steps());
        double smoothed = Double.NaN;
        long t0 = System.nanoTime();
        for (int step = 1; step <= schedule.steps(); step++) {
            if (step == schedule.steps()) {
                printProfile(trainer, o);
            }
            double loss;
            try (NDManager scratch = manager.newSubManager()) {
                TrainBatch batch = batches.batch(sampler.next(schedule.batch()), recipe.data().followUps(), rng);
                loss = trainer.lossAndGradients(batch, scratch);
                adam.step(schedule.learningRate(step), scratch);
            }
            smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
            progress.update(step, String.format(Locale.ROOT, "loss %.3f", smoothed));
            if (schedule.validatesAt(step)) {
                Map<String, Double> acc = validate(validation, manager);
                checkpoint(step, smoothed, (System.nanoTime() - t0) / 6e10, acc, progress);
                if (schedule.stopsAt(step)) {
                    o.printf("Stopped at step %d (--stop-at)%n", step);
                    break;
                }
            }
        }
    }

    /** The parameters Adam updates: all but a frozen vision front end, which stops taking gradients. */
    private Map<String, NDArray> trainable() {
        Map<String, NDArray> trained = new LinkedHashMap<>();
        params.all().forEach((name, a) -> {
            if (recipe.freezeVision() && VlmParameters.isVision(name)) {
                a.setRequiresGradient(false);
            } else {
                trained.put(name, a);
            }
        });
        return trained;
    }

    /** Where the time went, printed before the last step. */
    private static void printProfile(MambaTrainer trainer, PrintWriter o) {
        long[] pr = trainer.profile();
        o.printf(Locale.ROOT, "time so far: forward %.0f s, scan recompute %.0f s, scan backward %.0f s, "
                + "forward + backward %.0f s%n", pr[0] / 1e9, pr[1] / 1e9, pr[2] / 1e9, pr[3] / 1e9);
    }

    /** Accuracy per family on the validation scenes and, if asked, on their location questions. */
    private Map<String, Double> validate(Validation validation, NDManager manager) {
        Map<String, Double> acc = validation.accuracy(data.val(), manager);
        if (!data.locationVal().isEmpty()) {
            double location = validation.accuracy(data.locationVal(), manager).get("overall");
            acc.put("location", Math.round(1000 * location) / 1000.0);
        }
        return acc;
    }

    /** Reports and logs a validation, then saves the weights with the recipe. */
    private void checkpoint(int step, double loss, double minutes, Map<String, Double> acc, Progress progress)
            throws IOException {
        progress.log(String.format(Locale.ROOT, "step %d  loss %.4f  val accuracy %.3f  %s  (%.1f min)", step, loss,
                acc.get("overall"), acc, minutes));
        log.append(step, loss, minutes, acc);
        VlmCheckpoint.write(recipe.out(), params, recipe.training(step));
    }
}
