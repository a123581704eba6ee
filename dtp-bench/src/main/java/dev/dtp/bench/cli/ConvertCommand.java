package dev.dtp.bench.cli;

import dev.dtp.mamba.convert.CheckpointConverter;
import dev.dtp.mamba.convert.ModelFamily;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
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

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "The .pt/.pth file (read without Python; no pickle code runs).")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json to copy in (GPT-NeoX's for both families).")
    Path tokenizer;

    @Option(names = "--patches", description = "Visual tokens per image (default: 729 for Cobra, 256 for RoboMamba).")
    Integer patches;

    @Override
    public Integer call() throws IOException {
        ModelFamily f = switch (family.toLowerCase(Locale.ROOT)) {
            case "cobra" -> ModelFamily.COBRA;
            case "robomamba" -> ModelFamily.ROBOMAMBA;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "unknown model family '" + family + "' (known: cobra, robomamba)");
        };
        CheckpointConverter.Result r = CheckpointConverter.convert(f, checkpoint, out, tokenizer, patches);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d layers, d_model %d, vocab %d, %s projector from %d-wide features, %d patches, %d tensors%n",
                out, r.config().layers(), r.config().dModel(), r.config().paddedVocabSize(), r.vision().projector().id(),
                r.vision().featureWidth(), r.vision().patches(), r.tensors());
        if (tokenizer == null) {
            o.println("note: no --tokenizer given; generate/eval need a tokenizer.json in the directory");
        }
        o.flush();
        return 0;
    }
}
