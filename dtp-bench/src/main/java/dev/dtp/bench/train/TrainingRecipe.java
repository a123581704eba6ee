package dev.dtp.bench.train;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.VisionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One {@code dtp train} run's settings: the model it builds, its schedule and data, and the command
 * line that repeats it, which config.json's {@code training} section records with each checkpoint.
 *
 * @param out the model directory written
 * @param seed the weights' and the batches' seed
 * @param visionSteps steps of stage one, the vision front end's patch-label pretraining (0: none)
 * @param growFrom a shallower trained model to start from; null for none
 * @param resume whether the run starts from the weights already in {@code out}
 * @param freezeVision whether the vision front end stays fixed while the language model trains
 * @param visionFrom a trained model whose vision front end this one starts with (stage one then skipped); null for none
 */
record TrainingRecipe(Path out, Architecture architecture, Schedule schedule, Data data, long seed, int visionSteps,
        Path growFrom, boolean resume, boolean freezeVision, Path visionFrom) {

    /** The model's widths and depth. */
    record Architecture(int layers, int dModel, int dState, int dConv, int featureWidth, int patchKernel) {
        /** The Mamba backbone over the ShapesVQA vocabulary, padded to a multiple of 8. */
        MambaConfig config() {
            int vocab = VqaTokenizer.vocabulary().size();
            return MambaConfig.of(dModel, layers, vocab).withState(dState, dConv, 2).withVocabPaddedTo(8);
        }

        /** Patch tokens of the 64-px ShapesVQA image (256 of them) before the question. */
        VisionConfig vision() {
            return new VisionConfig(VisionConfig.Encoder.PATCHES, ShapesVqa.DEFAULT_IMAGE_SIZE, 4, 3,
                    new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, featureWidth, 256,
                    ProjectorKind.FUSED_GELU_MLP, VisionConfig.Placement.BEFORE_TEXT, "{question}",
                    List.of(VqaTokenizer.END), patchKernel);
        }
    }

    /**
     * The language model's optimisation: linear warm-up to {@code lr}, then a cosine to a tenth of it
     * over the remaining steps.
     *
     * @param evalEvery validate and save every this many steps (and after the last)
     * @param stopAt stop after this step's checkpoint although the schedule spans {@code steps}; null
     *     for none
     */
    record Schedule(int batch, int steps, double lr, int warmup, int evalEvery, Integer stopAt) {
        double learningRate(int step) {
            if (step <= warmup) {
                return lr * step / warmup;
            }
            double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
            return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }

        boolean validatesAt(int step) {
            return step % evalEvery == 0 || step == steps;
        }

        /** Whether {@code --stop-at} ends the run after this (validated) step. */
        boolean stopsAt(int step) {
            return stopAt != null && step >= stopAt;
        }
    }

    /**
     * The generated ShapesVQA scenes and questions.
     *
     * @param followUps extra questions about each training scene, as further turns
     * @param families the question families to train on; null for all
     * @param locationQuestions whether follow-ups also ask which half of the image an object lies in
     */
    record Data(long seed, int trainCount, int valCount, int followUps, List<String> families,
            boolean locationQuestions) {
    }

    /** Whether the run starts from seeded weights, neither resumed nor grown: only such a run has stage one. */
    boolean startsFresh() {
        return !resume && growFrom == null;
    }

    /** The command line that repeats this run (validation count and frequency aside). */
    String command() {
        Architecture a = architecture;
        Schedule s = schedule;
        return String.format(Locale.ROOT, "./dtp train --out %s --layers %d --d-model %d --d-state %d --d-conv %d"
                + " --feature-width %d --patch-kernel %d --batch %d --steps %d --lr %s --warmup %d --seed %d"
                + " --data-seed %d --train-count %d --follow-ups %d --vision-steps %d%s", out, a.layers(), a.dModel(),
                a.dState(), a.dConv(), a.featureWidth(), a.patchKernel(), s.batch(), s.steps(), s.lr(), s.warmup(),
                seed, data.seed(), data.trainCount(), data.followUps(), visionSteps, optionalFlags());
    }

    private String optionalFlags() {
        return (growFrom == null ? "" : " --grow-from " + growFrom) + (resume ? " --resume" : "")
                + (visionFrom == null ? "" : " --vision-from " + visionFrom)
                + (schedule.stopAt() == null ? "" : " --stop-at " + schedule.stopAt())
                + (freezeVision ? " --freeze-vision" : "")
                + (data.families() == null ? "" : " --families " + String.join(",", data.families()))
                + (data.locationQuestions() ? " --location-questions" : "");
    }

    /** config.json's {@code training} section for the checkpoint saved after {@code step}. */
    JsonObject training(int step) {
        JsonObject training = new JsonObject();
        training.addProperty("command", command());
        training.addProperty("step", step);
        return training;
    }
}
