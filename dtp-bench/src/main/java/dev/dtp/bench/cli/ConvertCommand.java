package dev.dtp.bench.cli;

import dev.dtp.mamba.convert.CheckpointConverter;
import dev.dtp.mamba.convert.ModelFamily;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dtp convert cobra|robomamba}: a released PyTorch checkpoint → a model directory every command loads. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Cobra (latest-checkpoint.pt) or RoboMamba (.pth) checkpoint into a model directory.")
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FAMILY", description = "cobra or robomamba")
    String family;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "The .pt/.pth file (read without Python; no pickle code runs).")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

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
        ModelFamily f = switch (family.toLowerCase(Locale.ROOT)) {
            case "cobra" -> ModelFamily.COBRA;
            case "robomamba" -> ModelFamily.ROBOMAMBA;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown model family '" + family + "' (known: cobra, robomamba)");
        };
        List<Path> files = vision == null ? List.of() : vision;
        boolean none = files.size() == 1 && files.get(0).toString().equals("none");
        CheckpointConverter.Result r = CheckpointConverter.convert(f, checkpoint, out, tokenizer, patches,
                none ? List.of() : files, none ? null : f.tower());
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d layers, d_model %d, vocab %d, %s projector from %d-wide features, %d patches, %d tensors%n",
                out, r.config().layers(), r.config().dModel(), r.config().paddedVocabSize(), r.vision().projector().id(),
                r.vision().featureWidth(), r.vision().patches(), r.tensors());
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
        return 0;
    }
}
