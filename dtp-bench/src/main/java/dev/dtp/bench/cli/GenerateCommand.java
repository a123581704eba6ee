package dev.dtp.bench.cli;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.eval.EvalCommand;
import dev.dtp.core.ModelInput;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TokenKind;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtp generate}: one answer streamed to the terminal, then a one-line summary (tokens kept
 * per stage, FLOPs ratio, prefill ms, decode tokens/s).
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Answer a question about an image (or precomputed patch features), streaming the tokens.")
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Multimodal model directory.")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The question.")
    String prompt;

    static final class Vision {
        @Option(names = "--image", paramLabel = "FILE", description = "Image file (PNG, JPEG, …).")
        Path image;

        @Option(names = {"--features", "--embeds"}, paramLabel = "FILE",
                description = "Precomputed patch features: a .safetensors with one tensor 'features' (patches, width).")
        Path features;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Vision vision;

    @Option(names = "--policy", defaultValue = "dtp", paramLabel = "SPEC", description = "Pruning policy (default ${DEFAULT-VALUE}; 'none' to disable).")
    String policy;

    @Option(names = "--calibration", paramLabel = "FILE", description = "calibration.json from 'dtp calibrate' (default: the model directory's, if any).")
    Path calibration;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "Answer length limit (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        try (VisionLanguageModel vlm = VisionLanguageModel.load(model, calibration == null ? common.builder()
                : common.builder().calibration(calibration));
                NDManager manager = NDManager.newBaseManager(vlm.model().device())) {
            PruningPolicy p = PolicySpec.parse(policy, vlm.model().pruningDefaults(), vlm.model().layerCount());
            Path image = vision.image != null ? vision.image.toAbsolutePath() : Path.of("-");
            EvalSample sample = new EvalSample("cli", image, prompt, List.of("-"), "cli", null,
                    vision.features == null ? null : vision.features.toAbsolutePath());
            ModelInput input = EvalCommand.input(vlm, sample, manager);
            Set<Integer> stops = vlm.stopTokens();
            // decode the whole answer so far and print what is new: right for word and sub-word tokenizers
            java.util.List<Integer> ids = new java.util.ArrayList<>();
            StringBuilder shown = new StringBuilder();
            Generation g = vlm.model().generate(input, vlm.generationConfig(maxNewTokens), p, id -> {
                if (stops.contains(id)) {
                    return;
                }
                ids.add(id);
                String text = vlm.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray());
                if (text.startsWith(shown.toString())) {
                    o.print(text.substring(shown.length()));
                } else {
                    o.print("\r" + text);
                }
                shown.setLength(0);
                shown.append(text);
                o.flush();
            });
            o.println();
            Flops.Result f = Flops.of(BenchCommand.shapeOf(vlm.model().config()), g.trace());
            int[] kept = g.trace().keptCounts();
            StringBuilder stages = new StringBuilder();
            int last = -1;
            for (int l = 0; l < kept.length; l++) {
                int visual = g.trace().keptCount(l, TokenKind.VISUAL);
                if (visual != last) {
                    stages.append(stages.length() == 0 ? "" : " → ").append("L").append(l).append(": ").append(visual);
                    last = visual;
                }
            }
            o.printf(Locale.ROOT, "[%s] visual tokens %s | FLOPs ratio %.1f%% | prefill %.1f ms | decode %.1f tokens/s%n",
                    p.name(), stages, 100 * f.ratio(), g.prefillNanos() / 1e6, g.decodeTokensPerSecond());
        }
        o.flush();
        return 0;
    }
}
