package dev.dtp.bench.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.CommonOptions;
import dev.dtp.core.InputException;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.model.WeightFormat;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import dev.dtp.mamba.vision.VisionConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    CommonOptions common;

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

    @Option(names = "--feature-width", defaultValue = "64",
            description = "Patch feature width (default ${DEFAULT-VALUE}).")
    int featureWidth;

    @Option(names = "--patch-kernel", defaultValue = "12",
            description = "Pixel window per patch token; 4 = plain 4×4 patches (default ${DEFAULT-VALUE}).")
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

    @Option(names = "--train-count", defaultValue = "60000",
            description = "Training samples (default ${DEFAULT-VALUE}).")
    int trainCount;

    @Option(names = "--val-count", defaultValue = "400", description = "Validation samples (default ${DEFAULT-VALUE}).")
    int valCount;

    @Option(names = "--eval-every", defaultValue = "250",
            description = "Validate and save every N steps (default ${DEFAULT-VALUE}).")
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

    @Option(names = "--vision-from", paramLabel = "DIR", description = "Take the vision front end (patch embedding,"
            + " positions, projector) from a model trained before with the same --feature-width, --patch-kernel and"
            + " --d-model, instead of training stage one again (--vision-steps is then ignored); usually with"
            + " --freeze-vision.")
    Path visionFrom;

    @Option(names = "--stop-at", paramLabel = "STEP", description = "Stop after this step's checkpoint; the"
            + " learning-rate schedule still spans --steps (to hand a run on to --resume or --grow-from).")
    Integer stopAt;

    @Option(names = "--freeze-vision", description = "Keep the vision front end (patch embedding, positions, projector)"
            + " fixed while the language model trains, as Cobra keeps its encoders frozen.")
    boolean freezeVision;

    @Option(names = "--families", split = ",", paramLabel = "FAMILY", description = "Train on these question families"
            + " only, follow-ups included (default: all).")
    List<String> families;

    @Option(names = "--location-questions", description = "Follow-ups also ask which half of the image one object lies"
            + " in (\"which side is the circle on?\" left): a stepping stone to relations between two objects.")
    boolean locationQuestions;

    @Option(names = "--resume", description = "Start from the weights already in --out (optimizer state starts fresh).")
    boolean resume;

    /**
     * The recipe's steps: a fresh, resumed or grown model; stage one, the vision front end's patch
     * labels (fresh models only); stage two, the language model, saved with every validation.
     */
    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        common.apply();
        if (common.weights() != WeightFormat.F32) {
            throw new InputException("--weights int8 is for running a model; training updates float32 weights");
        }
        if (!common.device().equals(Device.cpu())) {
            throw new InputException("training runs on the CPU (its scan gradients are Java kernels); drop --device");
        }
        TrainingRecipe recipe = recipe();
        Files.createDirectories(out);
        if (!resume || !Files.exists(out.resolve("tokenizer.json"))) {
            VqaTokenizer.write(out.resolve("tokenizer.json"));
        }
        TrainingData data = TrainingData.generate(recipe.data(), o);
        TrainingLog log = TrainingLog.in(out, resume);
        try (MambaTokenizer tokenizer = MambaTokenizer.load(out.resolve("tokenizer.json"));
                NDManager manager = NDManager.newBaseManager()) {
            VisionConfig vision = recipe.architecture().vision();
            ShapesVqaBatches batches = new ShapesVqaBatches(data.generator(), vision, tokenizer, data.followUps());
            VlmParameters params = startingWeights(recipe, vision, manager, o);
            if (recipe.startsFresh() && recipe.visionSteps() > 0) {
                new VisionStage(recipe.visionSteps(), recipe.seed()).run(params, data.train(), manager, o);
            }
            new LanguageModelStage(recipe, params, batches, data, log).run(manager, o);
        }
        o.printf("Model written to %s%n", out);
        o.flush();
        return 0;
    }

    private TrainingRecipe recipe() {
        return new TrainingRecipe(out,
                new TrainingRecipe.Architecture(layers, dModel, dState, dConv, featureWidth, patchKernel),
                new TrainingRecipe.Schedule(batch, steps, lr, warmup, evalEvery, stopAt),
                new TrainingRecipe.Data(dataSeed, trainCount, valCount, followUps, families, locationQuestions),
                common.seed(), visionFrom != null ? 0 : visionSteps, growFrom, resume, freezeVision, visionFrom);
    }

    /** Seeded initial weights, replaced by --out's own with --resume, or spread from --grow-from's layers. */
    private static VlmParameters startingWeights(TrainingRecipe recipe, VisionConfig vision, NDManager manager,
            PrintWriter o) throws IOException {
        TrainingRecipe.Architecture a = recipe.architecture();
        VlmParameters params = new VlmParameters(a.config(), vision, recipe.seed(), manager);
        if (recipe.resume()) {
            params.load(tensors(recipe.out()));
            o.printf("Resuming from %s%n", recipe.out().resolve("model.safetensors"));
        } else if (recipe.growFrom() != null) {
            Map<String, float[]> values = tensors(recipe.growFrom());
            int small = (int) values.keySet().stream().filter(n -> n.endsWith("mixer.out_proj.weight")).count();
            params.grow(values, small);
            o.printf("Grown from %s (%d layers, each followed by %d identity layers)%n", recipe.growFrom(), small,
                    a.layers() / small - 1);
        }
        if (recipe.visionFrom() != null && !recipe.resume()) {
            params.loadVision(tensors(recipe.visionFrom()), recipe.visionFrom());
            o.printf("Vision front end from %s%n", recipe.visionFrom());
        }
        long count = params.all().values().stream().mapToLong(x -> x.size()).sum();
        o.printf(Locale.ROOT, "Model: %d layers, d_model %d, d_state %d, %d visual tokens, %,d parameters%n",
                a.layers(), a.dModel(), a.dState(), vision.patches(), count);
        return params;
    }

    /** Every tensor of DIR/model.safetensors as floats. */
    static Map<String, float[]> tensors(Path dir) throws IOException {
        Map<String, float[]> values = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String name : f.tensors().keySet()) {
                values.put(name, f.readFloats(name));
            }
        }
        return values;
    }
}
