package dev.dtp.bench.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.ModelInput;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.SequenceState;
import dev.dtp.core.TokenKind;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @Option(names = "--prompt", required = true, paramLabel = "TEXT",
            description = "The question; repeat for several questions about one image (prefilled once).")
    List<String> prompts;

    static final class Vision {
        @Option(names = "--image", paramLabel = "FILE", description = "Image file (PNG, JPEG, …).")
        Path image;

        @Option(names = {"--features", "--embeds"}, paramLabel = "FILE",
                description = "Precomputed patch features: a .safetensors with one tensor 'features' (patches, width).")
        Path features;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Vision vision;

    @Option(names = "--policy", defaultValue = "dtp", paramLabel = "SPEC",
            description = "Pruning policy (default ${DEFAULT-VALUE}; 'none' to disable).")
    String policy;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "calibration.json from 'dtp calibrate' (default: the model directory's, if any).")
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
            EvalSample sample = new EvalSample("cli", image, prompts.get(0), List.of("-"), "cli", null,
                    vision.features == null ? null : vision.features.toAbsolutePath());
            NDArray visual = EvalInputs.visual(vlm, sample, manager);
            boolean shared = prompts.size() > 1 && p.prefixSafe();
            if (prompts.size() > 1 && !shared) {
                o.printf("(policy %s is not prefix-safe: each question prefills the image again)%n", p.name());
            }
            SequenceState state = null;
            double imageMs = 0;
            try {
                if (shared) {
                    long t = System.nanoTime();
                    state = vlm.model().prefix(null, ModelInput.builder().visual(visual).build(), p);
                    imageMs = (System.nanoTime() - t) / 1e6;
                }
                for (int q = 0; q < prompts.size(); q++) {
                    String question = prompts.get(q);
                    if (prompts.size() > 1) {
                        o.printf("Q%d: %s%nA%d: ", q + 1, question, q + 1);
                    }
                    ModelInput.Builder in = ModelInput.builder();
                    if (!shared) {
                        in.visual(visual);
                    }
                    ModelInput input = in.text(vlm.promptIds(question)).build();
                    Generation g = vlm.model().generate(state, input, vlm.generationConfig(maxNewTokens), p, stream(vlm, o));
                    o.println();
                    double questionMs = g.prefillNanos() / 1e6;
                    String prefill = shared && q == 0
                            ? String.format(Locale.ROOT, "%.1f ms (image %.1f + question %.1f)", imageMs + questionMs,
                                    imageMs, questionMs)
                            : String.format(Locale.ROOT, "%.1f ms", questionMs);
                    o.printf(Locale.ROOT, "[%s] visual tokens %s | FLOPs ratio %.1f%% | prefill %s | decode %.1f tokens/s%n",
                            p.name(), stages(g), 100 * Flops.of(vlm.model().config().shape(), g.trace()).ratio(), prefill,
                            g.decodeTokensPerSecond());
                }
            } finally {
                if (state != null) {
                    state.close();
                }
            }
        }
        o.flush();
        return 0;
    }

    /** Prints the answer as it grows: decodes the whole answer so far (right for word and sub-word tokenizers). */
    private static TokenListener stream(VisionLanguageModel vlm, PrintWriter o) {
        Set<Integer> stops = vlm.stopTokens();
        List<Integer> ids = new ArrayList<>();
        StringBuilder shown = new StringBuilder();
        return id -> {
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
        };
    }

    /** Visual tokens kept where the count changes, e.g. {@code L0: 256 → L2: 128 → L6: 0}. */
    private static String stages(Generation g) {
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
        return stages.toString();
    }
}
