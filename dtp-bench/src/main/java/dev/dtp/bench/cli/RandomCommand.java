package dev.dtp.bench.cli;

import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.Layout;
import dev.dtp.mamba.checkpoint.RandomMambaCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtp random}: a seeded random-weight model directory in the Hugging Face layout — the same
 * weights {@code dtp bench --shape} draws in memory — so that other engines can run identical weights
 * (tools/bench_peers.sh).
 */
@Command(name = "random", mixinStandardHelpOptions = true,
        description = "Write a seeded random-weight model directory (config.json + model.safetensors, Hugging Face layout).")
public final class RandomCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shape", required = true, paramLabel = "SPEC",
            description = "layers=24,d_model=768[,d_state=16,expand=2,vocab=50280] or mamba-130m, mamba-370m.")
    String shape;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Override
    public Integer call() {
        MambaConfig c = ShapeSpec.parse(shape);
        RandomMambaCheckpoint.write(out, c, seed, Layout.HUGGING_FACE, DType.F32, false);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d layers, d_model %d, vocab %d, seed %d%n", out, c.layers(), c.dModel(),
                c.paddedVocabSize(), seed);
        o.flush();
        return 0;
    }
}
