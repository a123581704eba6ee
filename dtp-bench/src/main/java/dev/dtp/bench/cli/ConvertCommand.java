package dev.dtp.bench.cli;

import dev.dtp.mamba.checkpoint.Int8Converter;
import dev.dtp.mamba.convert.CheckpointConverter;
import dev.dtp.mamba.convert.ModelFamily;
import dev.dtp.mamba.model.WeightFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dtp convert cobra|robomamba}: a released PyTorch checkpoint → a model directory every command
 * loads; {@code --weights int8} stores its large matrices as Q8_0, and {@code dtp convert --model DIR
 * --weights int8} does that to a model directory that exists.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a Cobra (latest-checkpoint.pt) or RoboMamba (.pth) checkpoint into a model directory,",
                "or (--model DIR --weights int8) a model directory into one with pre-quantised int8 weights."})
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FAMILY", description = "cobra or robomamba (with --checkpoint)")
    String family;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "The .pt/.pth file (read without Python; no pickle code runs).")
    Path checkpoint;

    @Option(names = "--model", paramLabel = "DIR",
            description = "A model directory (config.json + safetensors) to convert instead, with --weights int8.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--weights", defaultValue = "f32", paramLabel = "f32|int8",
            description = {"f32 (default): tensors keep the checkpoint's dtype.",
                    "int8: the embedding, lm_head, in_proj, x_proj and out_proj stored as Q8_0 (int8 quants + a float32 "
                            + "scale per 32 values, 1.125 bytes a weight), exactly as --weights int8 quantises at load; "
                            + "load the directory with --weights int8."})
    String weights;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json to copy in (GPT-NeoX's for both families).")
    Path tokenizer;

    @Option(names = "--patches", description = "Visual tokens per image (default: 729 for Cobra, 256 for RoboMamba).")
    Integer patches;

    @Option(names = "--vision", split = ",", paramLabel = "FILE[,FILE]|none",
            description = {"The vision tower's timm weights (model.safetensors), written into the model directory so "
                    + "images need nothing else: Cobra's DINOv2 then SigLIP file; RoboMamba's CLIP file, by default the ViT "
                    + "in its .pth.",
                    "'none': no tower (images as precomputed features or through a TorchScript backbone)."})
    List<Path> vision;

    @Override
    public Integer call() throws IOException {
        boolean int8 = weightFormat() == WeightFormat.INT8;
        if (model != null) {
            if (family != null || checkpoint != null || tokenizer != null || patches != null || vision != null) {
                throw usage("--model converts a model directory; FAMILY, --checkpoint, --tokenizer, --patches and "
                        + "--vision belong to converting a .pt checkpoint");
            }
            if (!int8) {
                throw usage("--model DIR only converts to int8 weights: add --weights int8");
            }
            report(Int8Converter.convert(model, out));
            return 0;
        }
        if (family == null || checkpoint == null) {
            throw usage("give FAMILY and --checkpoint FILE (a .pt checkpoint), or --model DIR --weights int8");
        }
        if (!int8) {
            convertCheckpoint(out);
            return 0;
        }
        Path parent = Files.createDirectories(out.toAbsolutePath().getParent());
        Path f32 = Files.createTempDirectory(parent, ".dtp-convert-"); // the float32 conversion, then quantised into out
        try {
            convertCheckpoint(f32);
            report(Int8Converter.convert(f32, out));
        } finally {
            deleteRecursively(f32);
        }
        return 0;
    }

    private WeightFormat weightFormat() {
        try {
            return WeightFormat.parse(weights);
        } catch (IllegalArgumentException e) {
            throw usage("--weights: " + e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private void report(Int8Converter.Result r) {
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d matrices as Q8_0 int8 (%d weights in %.1f MB, %.3f bytes a weight), %d other "
                + "tensors copied; model.safetensors %.1f MB; load it with --weights int8%n", out, r.quantised(),
                r.int8Weights(), r.int8Bytes() / 1e6, (double) r.int8Bytes() / r.int8Weights(), r.copied(),
                r.fileBytes() / 1e6);
        o.flush();
    }

    private void convertCheckpoint(Path target) throws IOException {
        ModelFamily f = switch (family.toLowerCase(Locale.ROOT)) {
            case "cobra" -> ModelFamily.COBRA;
            case "robomamba" -> ModelFamily.ROBOMAMBA;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown model family '" + family + "' (known: cobra, robomamba)");
        };
        List<Path> files = vision == null ? List.of() : vision;
        boolean none = files.size() == 1 && files.get(0).toString().equals("none");
        CheckpointConverter.Result r = CheckpointConverter.convert(f, checkpoint, target, tokenizer, patches,
                none ? List.of() : files, none ? null : f.tower());
        PrintWriter o = spec.commandLine().getOut();
        boolean direct = target.equals(out); // else a float32 directory on its way to int8
        o.printf(Locale.ROOT, "%s %s: %d layers, d_model %d, vocab %d, %s projector from %d-wide features, %d patches, %d tensors%n",
                direct ? "wrote" : "converted", direct ? out : checkpoint, r.config().layers(), r.config().dModel(),
                r.config().paddedVocabSize(), r.vision().projector().id(), r.vision().featureWidth(), r.vision().patches(),
                r.tensors());
        if (r.tower() != null) {
            o.printf(Locale.ROOT, "vision tower %s: %d patches x %d features, from %s%n", r.tower().name(), r.tower().patches(),
                    r.tower().featureWidth(), files.isEmpty() ? checkpoint : files);
        } else {
            o.println("note: no vision tower (--vision): images need precomputed features or a TorchScript backbone "
                    + "(docs/COBRA.md)");
        }
        if (tokenizer == null) {
            o.println("note: no --tokenizer given; generate/eval need a tokenizer.json in the directory");
        }
        o.flush();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
