package dev.dtp.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.Family;
import dev.dtp.bench.data.SceneQuestions;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.core.InputException;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.WeightFormat;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.VisionConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtp train}: trains a multimodal Mamba model from scratch on ShapesVQA with DJL autograd
 * (scan gradients in Java, see {@link MambaTrainer}), seeded, and writes a model directory that
 * every other command loads.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a small multimodal Mamba model on ShapesVQA (DJL autograd, seeded).")
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    dev.dtp.bench.cli.CommonOptions common;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--layers", defaultValue = "24", description = "Mamba layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--d-model", defaultValue = "64", description = "Residual width (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--d-state", defaultValue = "16", description = "SSM state size N (default ${DEFAULT-VALUE}).")
    int dState;

    @Option(names = "--d-conv", defaultValue = "4", description = "Width of each layer's causal depthwise convolution"
            + " (d_conv, default ${DEFAULT-VALUE} as in Mamba).")
    int dConv;

    @Option(names = "--feature-width", defaultValue = "64", description = "Patch feature width (default ${DEFAULT-VALUE}).")
    int featureWidth;

    @Option(names = "--patch-kernel", defaultValue = "12", description = "Pixel window per patch token; 4 = plain 4×4 patches (default ${DEFAULT-VALUE}).")
    int patchKernel;

    @Option(names = "--batch", defaultValue = "16", description = "Samples per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "3000", description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "0.002", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "100", description = "Warm-up steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--data-seed", defaultValue = "0", description = "ShapesVQA seed (default ${DEFAULT-VALUE}).")
    long dataSeed;

    @Option(names = "--train-count", defaultValue = "60000", description = "Training samples (default ${DEFAULT-VALUE}).")
    int trainCount;

    @Option(names = "--val-count", defaultValue = "400", description = "Validation samples (default ${DEFAULT-VALUE}).")
    int valCount;

    @Option(names = "--eval-every", defaultValue = "250", description = "Validate and save every N steps (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--follow-ups", defaultValue = "0", description = "Extra questions about the same scene after each"
            + " training image, as further turns (default ${DEFAULT-VALUE}); tests always ask one.")
    int followUps;

    @Option(names = "--vision-steps", defaultValue = "0", description = "Steps of dense patch-label pretraining of the"
            + " vision front end before the language model trains (default ${DEFAULT-VALUE}; skipped with --resume).")
    int visionSteps;

    @Option(names = "--grow-from", paramLabel = "DIR", description = "Start from a shallower trained model of the same"
            + " widths: its layers are spread over --layers, identity layers in between (see docs/TRAINING.md).")
    Path growFrom;

    @Option(names = "--stop-at", paramLabel = "STEP", description = "Stop after this step's checkpoint; the learning-rate"
            + " schedule still spans --steps (to hand a run on to --resume or --grow-from).")
    Integer stopAt;

    @Option(names = "--freeze-vision", description = "Keep the vision front end (patch embedding, positions, projector)"
            + " fixed while the language model trains, as Cobra keeps its encoders frozen.")
    boolean freezeVision;

    @Option(names = "--families", split = ",", paramLabel = "FAMILY", description = "Train on these question families only,"
            + " follow-ups included (default: all).")
    List<String> families;

    @Option(names = "--location-questions", description = "Follow-ups also ask which half of the image one object lies in"
            + " (\"which side is the circle on?\" left): a stepping stone to relations between two objects.")
    boolean locationQuestions;

    @Option(names = "--resume", description = "Start from the weights already in --out (optimizer state starts fresh).")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        common.apply();
        if (common.weights() != WeightFormat.F32) {
            throw new InputException("--weights int8 is for running a model; training updates float32 weights");
        }
        if (!common.device().equals(ai.djl.Device.cpu())) {
            throw new dev.dtp.core.InputException("training runs on the CPU (its scan gradients are Java kernels); drop --device");
        }
        Files.createDirectories(out);
        if (!resume || !Files.exists(out.resolve("tokenizer.json"))) {
            VqaTokenizer.write(out.resolve("tokenizer.json"));
        }
        int vocab = VqaTokenizer.vocabulary().size();
        MambaConfig config = new MambaConfig(dModel, layers, vocab, (vocab + 7) / 8 * 8, dState, dConv, 2,
                (dModel + 15) / 16, 1e-5, true, false, true);
        VisionConfig vision = new VisionConfig(VisionConfig.Encoder.PATCHES, ShapesVqa.DEFAULT_IMAGE_SIZE, 4, 3,
                new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, featureWidth, 256,
                ProjectorKind.FUSED_GELU_MLP, VisionConfig.Placement.BEFORE_TEXT, "{question}", List.of(VqaTokenizer.END),
                patchKernel);
        ShapesVqa.Builder builder = ShapesVqa.builder().seed(dataSeed);
        Set<Family> askedFamilies = EnumSet.allOf(Family.class);
        if (families != null) {
            Map<Family, Double> mix = new EnumMap<>(Family.class);
            for (String f : families) {
                mix.put(java.util.Arrays.stream(Family.values()).filter(x -> x.id().equals(f)).findFirst()
                        .orElseThrow(() -> new dev.dtp.core.InputException("unknown family '" + f + "'")), 1.0);
            }
            builder.familyMix(mix);
            askedFamilies = mix.keySet();
        }
        ShapesVqa data = builder.build();
        SceneQuestions followUpQuestions = new SceneQuestions(data, askedFamilies, locationQuestions);
        o.printf(Locale.ROOT, "Generating %d training and %d validation scenes (seed %d)…%n", trainCount, valCount, dataSeed);
        o.flush();
        List<ShapesVqaSample> train = data.samples(Split.TRAIN, trainCount).toList();
        List<ShapesVqaSample> val = data.samples(Split.VALIDATION, valCount).toList();
        List<ShapesVqaSample> locationVal = locationQuestions ? locationValidation(followUpQuestions, val) : List.of();
        Path log = out.resolve("training-log.jsonl");
        if (!resume) {
            Files.deleteIfExists(log);
        }
        try (MambaTokenizer tokenizer = MambaTokenizer.load(out.resolve("tokenizer.json"));
                NDManager manager = NDManager.newBaseManager()) {
            ShapesVqaBatches batches = new ShapesVqaBatches(data, vision, tokenizer, followUpQuestions);
            VlmParameters params = new VlmParameters(config, vision, common.seed(), manager);
            if (resume) {
                params.load(tensors(out));
                o.printf("Resuming from %s%n", out.resolve("model.safetensors"));
            }
            if (growFrom != null && !resume) {
                Map<String, float[]> values = tensors(growFrom);
                int small = (int) values.keySet().stream().filter(n -> n.endsWith("mixer.out_proj.weight")).count();
                params.grow(values, small);
                o.printf("Grown from %s (%d layers, each followed by %d identity layers)%n", growFrom, small, layers / small - 1);
            }
            long count = params.all().values().stream().mapToLong(a -> a.size()).sum();
            o.printf(Locale.ROOT, "Model: %d layers, d_model %d, d_state %d, %d visual tokens, %,d parameters%n", layers,
                    dModel, dState, vision.patches(), count);
            if (!resume && growFrom == null && visionSteps > 0) {
                pretrainVision(params, train, manager, o);
            }
            MambaTrainer trainer = new MambaTrainer(params);
            Map<String, NDArray> trained = new java.util.LinkedHashMap<>();
            params.all().forEach((name, a) -> {
                if (freezeVision && VlmParameters.isVision(name)) {
                    a.setRequiresGradient(false);
                } else {
                    trained.put(name, a);
                }
            });
            Adam adam = new Adam(trained, manager, 0.01, 1.0);
            SplittableRandom rng = new SplittableRandom(common.seed());
            int[] order = shuffled(train.size(), rng);
            int cursor = 0;
            Progress progress = new Progress(o, "train", steps);
            double smoothed = Double.NaN;
            long t0 = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                if (step == steps) {
                    long[] pr = trainer.profile();
                    o.printf(Locale.ROOT, "time so far: forward %.0f s, scan recompute %.0f s, scan backward %.0f s, "
                            + "forward + backward %.0f s%n", pr[0] / 1e9, pr[1] / 1e9, pr[2] / 1e9, pr[3] / 1e9);
                }
                List<ShapesVqaSample> b = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    if (cursor == order.length) {
                        order = shuffled(train.size(), rng);
                        cursor = 0;
                    }
                    b.add(train.get(order[cursor++]));
                }
                double loss;
                try (NDManager scratch = manager.newSubManager()) {
                    loss = trainer.lossAndGradients(batches.batch(b, followUps, rng), scratch);
                    adam.step(learningRate(step), scratch);
                }
                smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
                progress.update(step, String.format(Locale.ROOT, "loss %.3f", smoothed));
                if (step % evalEvery == 0 || step == steps) {
                    Map<String, Double> acc = evaluate(trainer, batches, val, manager);
                    if (!locationVal.isEmpty()) {
                        acc.put("location", Math.round(1000 * evaluate(trainer, batches, locationVal, manager).get("overall")) / 1000.0);
                    }
                    double minutes = (System.nanoTime() - t0) / 6e10;
                    progress.log(String.format(Locale.ROOT, "step %d  loss %.4f  val accuracy %.3f  %s  (%.1f min)", step,
                            smoothed, acc.get("overall"), acc, minutes));
                    JsonObject line = new JsonObject();
                    line.addProperty("step", step);
                    line.addProperty("loss", smoothed);
                    line.addProperty("minutes", minutes);
                    JsonObject a = new JsonObject();
                    acc.forEach(a::addProperty);
                    line.add("val_accuracy", a);
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    save(params, config, vision, step);
                    if (stopAt != null && step >= stopAt) {
                        o.printf("Stopped at step %d (--stop-at)%n", step);
                        break;
                    }
                }
            }
        }
        o.printf("Model written to %s%n", out);
        o.flush();
        return 0;
    }

    /** Stage one: the vision front end learns dense patch labels ({@link VisionPretrainer}), 32 scenes a step. */
    private void pretrainVision(VlmParameters params, List<ShapesVqaSample> train, NDManager manager, PrintWriter o) {
        SplittableRandom rng = new SplittableRandom(common.seed() + 1);
        Progress progress = new Progress(o, "vision", visionSteps);
        try (VisionPretrainer pre = new VisionPretrainer(params, manager, common.seed())) {
            double loss = Double.NaN;
            double[] quality = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            for (int step = 1; step <= visionSteps; step++) {
                List<dev.dtp.bench.data.Scene> scenes = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    scenes.add(train.get(rng.nextInt(train.size())).scene());
                }
                double lr = 3e-3 * Math.min(1.0, step / 50.0) * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * step / visionSteps)));
                VisionPretrainer.Step s;
                try (NDManager scratch = manager.newSubManager()) {
                    s = pre.step(scenes, lr, scratch);
                }
                loss = Double.isNaN(loss) ? s.loss() : 0.95 * loss + 0.05 * s.loss();
                double[] now = {s.shapeAccuracy(), s.glyphAccuracy(), s.placeAccuracy(), s.positionError()};
                for (int k = 0; k < quality.length; k++) {
                    quality[k] = Double.isNaN(now[k]) ? quality[k]
                            : Double.isNaN(quality[k]) ? now[k] : 0.95 * quality[k] + 0.05 * now[k];
                }
                progress.update(step, String.format(Locale.ROOT, "patch loss %.3f", loss));
                if (step % 100 == 0 || step == visionSteps) {
                    progress.log(String.format(Locale.ROOT, "vision step %d  patch loss %.4f  object-patch shape accuracy"
                            + " %.3f  text-patch character accuracy %.3f  object column accuracy %.3f  position rms %.3f",
                            step, loss, quality[0], quality[1], quality[2], quality[3]));
                }
            }
        }
    }

    /** Every tensor of DIR/model.safetensors as floats. */
    static Map<String, float[]> tensors(Path dir) throws IOException {
        Map<String, float[]> values = new java.util.HashMap<>();
        try (var f = dev.dtp.mamba.checkpoint.SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String name : f.tensors().keySet()) {
                values.put(name, f.readFloats(name));
            }
        }
        return values;
    }

    private double learningRate(int step) {
        if (step <= warmup) {
            return lr * step / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** One location question per validation scene that has an object to ask about (reported as "location"). */
    private static List<ShapesVqaSample> locationValidation(SceneQuestions questions, List<ShapesVqaSample> val) {
        SplittableRandom rng = new SplittableRandom(0);
        List<ShapesVqaSample> out = new ArrayList<>();
        for (ShapesVqaSample s : val) {
            SceneQuestions.QuestionAnswer qa = questions.location(s.scene().objects(), rng);
            if (qa != null) {
                out.add(new ShapesVqaSample(s.id(), s.split(), s.index(), qa.family(), "location", qa.question(), qa.answer(),
                        s.scene()));
            }
        }
        return out;
    }

    /** Greedy first-token accuracy per family on the validation samples (the training forward, no pruning). */
    static Map<String, Double> evaluate(MambaTrainer trainer, ShapesVqaBatches batches, List<ShapesVqaSample> val,
            NDManager manager) {
        Map<Family, int[]> byFamily = new EnumMap<>(Family.class);
        int right = 0;
        for (int start = 0; start < val.size(); start += 32) {
            List<ShapesVqaSample> chunk = val.subList(start, Math.min(val.size(), start + 32));
            int[] predicted;
            try (NDManager scratch = manager.newSubManager()) {
                predicted = trainer.predict(batches.batch(chunk), scratch);
            }
            for (int i = 0; i < chunk.size(); i++) {
                boolean ok = predicted[i] == batches.answerId(chunk.get(i));
                int[] c = byFamily.computeIfAbsent(chunk.get(i).family(), f -> new int[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
                right += ok ? 1 : 0;
            }
        }
        Map<String, Double> acc = new java.util.LinkedHashMap<>();
        acc.put("overall", (double) right / val.size());
        byFamily.forEach((f, c) -> acc.put(f.id(), Math.round(1000.0 * c[0] / c[1]) / 1000.0));
        return acc;
    }

    private void save(VlmParameters params, MambaConfig config, VisionConfig vision, int step) throws IOException {
        JsonObject training = new JsonObject();
        training.addProperty("command", String.format(Locale.ROOT,
                "./dtp train --out %s --layers %d --d-model %d --d-state %d --d-conv %d --feature-width %d --patch-kernel %d --batch %d --steps %d --lr %s"
                        + " --warmup %d --seed %d --data-seed %d --train-count %d --follow-ups %d --vision-steps %d%s",
                out, layers, dModel, dState, dConv, featureWidth, patchKernel, batch, steps, lr, warmup, common.seed(), dataSeed, trainCount,
                followUps, visionSteps, (growFrom == null ? "" : " --grow-from " + growFrom) + (resume ? " --resume" : "")
                        + (stopAt == null ? "" : " --stop-at " + stopAt) + (freezeVision ? " --freeze-vision" : "")
                        + (families == null ? "" : " --families " + String.join(",", families))
                        + (locationQuestions ? " --location-questions" : "")));
        training.addProperty("step", step);
        VlmCheckpoint.write(out, params, training);
    }
}
