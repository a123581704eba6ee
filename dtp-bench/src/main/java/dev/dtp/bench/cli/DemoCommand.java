package dev.dtp.bench.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonParser;
import dev.dtp.core.DtpPruner;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PrunedModel;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.TokenKind;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.generate.Sampler;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtp demo}: DTP on a model at Cobra's token layout, with and without pruning — tokens kept
 * per stage, FLOPs ratio, measured prefill speedup, and a PNG of the kept patches.
 *
 * <p>Until the trained ShapesVQA model is shipped in models/shapes-vqa, the demo runs a seeded
 * random-weight model (64 layers, d_model 256) and says so: it shows the mechanics and the speed,
 * not accuracy.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a model with and without DTP: tokens kept per stage, FLOPs ratio, prefill speedup, kept-patch PNG.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: a random-weight model at Cobra's layout).")
    Path model;

    @Option(names = "--visual", defaultValue = "729", description = "Visual tokens, a square patch grid (default ${DEFAULT-VALUE}).")
    int visual;

    @Option(names = "--text", defaultValue = "31", description = "Text tokens (default ${DEFAULT-VALUE}).")
    int text;

    @Option(names = "--runs", defaultValue = "5", description = "Timed prefills per setting (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--random", description = "Run the 64-layer random-weight model at Cobra's layout instead of the shipped VQA model.")
    boolean random;

    @Option(names = "--out", defaultValue = "demo-output", paramLabel = "DIR", description = "Where the PNG goes (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        Path shipped = Path.of(System.getProperty("dtp.home", ".")).resolve("models").resolve("shapes-vqa");
        Path vqaModel = model != null ? model : Files.isRegularFile(shipped.resolve("model.safetensors")) ? shipped : null;
        if (!random && vqaModel != null && VisionLanguageModel.isMultimodal(vqaModel)) {
            try (var vlm = VisionLanguageModel.load(vqaModel, common.builder())) {
                o.printf("Model: %s (%d layers, d_model %d, %d visual tokens per image, placed before the question)%n",
                        vqaModel, vlm.model().layerCount(), vlm.model().config().dModel(), vlm.visionConfig().patches());
                Path card = vqaModel.resolve("model-card.json");
                if (Files.isRegularFile(card)) {
                    var a = JsonParser.parseString(Files.readString(card)).getAsJsonObject().getAsJsonObject("accuracy");
                    if (a != null) {
                        o.printf(Locale.ROOT, "Measured test accuracy %.1f%%%s%n", 100 * a.get("overall").getAsDouble(),
                                a.has("note") ? " — " + a.get("note").getAsString() : "");
                    }
                }
                new VqaDemo(vlm, o, runs).run(out, 2026);
            }
            o.flush();
            return 0;
        }
        MambaModel m;
        if (model != null) {
            m = common.builder().load(model);
            o.printf("Model: %s%n", model);
        } else {
            MambaConfig config = MambaConfig.of(256, 64, 50280);
            o.println("Model: seeded RANDOM weights, 64 layers, d_model 256 at Cobra's token layout");
            o.println("       (shows DTP's mechanics and speed at a paper-like depth, not answer quality).");
            m = BenchInputs.randomModel(config, 7);
        }
        try (m; NDManager manager = NDManager.newBaseManager()) {
            ModelInput input = BenchInputs.cobraLayout(m, manager, visual, text, 3);
            PrunedModel dtp = DtpPruner.wrap(m);
            String dtpName = dtp.policy().name();
            o.printf(Locale.ROOT, "Input: %d visual tokens (first, as Cobra places them) + %d text tokens%n", visual, text);
            o.printf("Policy: %s%n%n", dtpName);
            double baseMs = time(() -> m.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT));
            double dtpMs = time(() -> dtp.prefill(input));
            try (Prefill full = m.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT);
                    Prefill pruned = dtp.prefill(input, PrefillOptions.DEFAULT.withRecordImportance(true))) {
                PruningTrace trace = pruned.trace();
                var shape = m.config().shape();
                Flops.Result flops = Flops.of(shape, trace);
                int early = m.pruningDefaults().early();
                int late = m.pruningDefaults().late();
                o.println("Visual tokens processed by the scan:");
                o.printf(Locale.ROOT, "  layers 0–%d: %d    layers %d–%d: %d    layers %d–%d: %d%n", early - 1,
                        trace.keptCount(0, TokenKind.VISUAL), early, late - 1, trace.keptCount(early, TokenKind.VISUAL),
                        late, m.layerCount() - 1, trace.keptCount(late, TokenKind.VISUAL));
                o.printf(Locale.ROOT, "FLOPs ratio: %.1f%%   (1/ratio = %.2f×)%n", 100 * flops.ratio(), 1 / flops.ratio());
                o.printf(Locale.ROOT, "Prefill: %.1f ms unpruned, %.1f ms with DTP → measured speedup %.2f×%n", baseMs, dtpMs,
                        baseMs / dtpMs);
                int a = Sampler.argmax(full.logits());
                int b = Sampler.argmax(pruned.logits());
                o.printf("Next token: %d unpruned, %d with DTP (%s)%n", a, b, a == b ? "same" : "different");
                Path png = out.resolve("dtp-kept-patches.png");
                writeKeptPatches(trace.layer(early), png);
                o.printf("Kept patches at layer %d: %s%n", early, png);
            }
        }
        o.flush();
        return 0;
    }

    private double time(Supplier<Prefill> run) {
        double[] ms = new double[runs];
        for (int i = -1; i < runs; i++) {
            long t0 = System.nanoTime();
            try (Prefill p = run.get()) {
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        return Stats.of(ms).median();
    }

    /** The visual tokens on their patch grid: kept ones bright, dropped ones dark. */
    private void writeKeptPatches(PruningTrace.LayerTrace layer, Path png) throws IOException {
        int side = (int) Math.ceil(Math.sqrt(visual));
        int cell = Math.max(4, 540 / side);
        Set<Integer> kept = new HashSet<>();
        Arrays.stream(layer.keptPositions()).forEach(kept::add);
        float[] s = layer.deltaImportance();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < visual; i++) {
            min = Math.min(min, s[i]);
            max = Math.max(max, s[i]);
        }
        BufferedImage img = new BufferedImage(side * cell, side * cell + 24, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < visual; i++) {
            float t = max > min ? (s[i] - min) / (max - min) : 0.5f;
            Color c = kept.contains(i) ? new Color(1f, 0.55f + 0.45f * t, 0.1f) : new Color(0.15f, 0.15f, 0.25f + 0.3f * t);
            g.setColor(c);
            g.fillRect((i % side) * cell, (i / side) * cell, cell - 1, cell - 1);
        }
        g.setColor(Color.BLACK);
        g.drawString("Layer " + layer.layer() + ": kept (orange, brighter = higher Δ importance) vs dropped (dark)", 4,
                side * cell + 16);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }
}
