package dev.dtp.bench.cli;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.Family;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.core.DtpPruner;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PrunedModel;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.TokenKind;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.generate.Generation;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * The demo on a trained multimodal model: a few ShapesVQA test questions (one per family) answered
 * with and without DTP, the visual tokens kept per stage, the FLOPs ratio, the measured prefill
 * speedup, and a PNG of the image with the patches DTP dropped at its first stage darkened.
 */
final class VqaDemo {
    private final VisionLanguageModel vlm;
    private final PrintWriter o;
    private final int runs;

    VqaDemo(VisionLanguageModel vlm, PrintWriter o, int runs) {
        this.vlm = vlm;
        this.o = o;
        this.runs = runs;
    }

    void run(Path out, long seed) throws IOException {
        ShapesVqa data = ShapesVqa.builder().seed(seed).build();
        List<ShapesVqaSample> picked = new ArrayList<>();
        Set<Family> seen = new HashSet<>();
        data.samples(Split.TEST, 40).forEach(s -> {
            if (seen.add(s.family())) {
                picked.add(s);
            }
        });
        PrunedModel dtp = DtpPruner.wrap(vlm.model());
        var shape = vlm.model().config().shape();
        o.printf("Policy: %s   (layers %d, early %d, late %d)%n%n", dtp.policy().name(), vlm.model().layerCount(),
                vlm.model().pruningDefaults().early(), vlm.model().pruningDefaults().late());
        int agree = 0;
        int rightFull = 0;
        int rightDtp = 0;
        double flopsRatio = 0;
        BufferedImage firstImage = null;
        PruningTrace firstTrace = null;
        try (NDManager manager = NDManager.newBaseManager(vlm.model().device())) {
            for (ShapesVqaSample s : picked) {
                BufferedImage image = data.render(s);
                ModelInput input = vlm.input(image, s.question(), manager);
                Generation full = vlm.model().generate(input, vlm.generationConfig(4), PruningPolicy.none(), id -> {});
                Generation pruned = dtp.generate(input, vlm.generationConfig(4));
                String a = vlm.decode(full.tokens());
                String b = vlm.decode(pruned.tokens());
                Flops.Result f = Flops.of(shape, pruned.trace());
                flopsRatio += f.ratio();
                agree += a.equals(b) ? 1 : 0;
                rightFull += a.equals(s.answer()) ? 1 : 0;
                rightDtp += b.equals(s.answer()) ? 1 : 0;
                o.printf(Locale.ROOT, "[%s] %s   (truth: %s)%n", s.family().id(), s.question(), s.answer());
                o.printf(Locale.ROOT, "    unpruned: %-8s DTP: %-8s visual tokens %s, FLOPs %.1f%%%n", a, b,
                        stages(pruned.trace()), 100 * f.ratio());
                if (firstImage == null) {
                    firstImage = image;
                    firstTrace = pruned.trace();
                }
            }
            ModelInput input = vlm.input(firstImage, picked.get(0).question(), manager);
            double[] ms = timeInTurn(() -> vlm.model().prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT),
                    () -> dtp.prefill(input));
            double fullMs = ms[0];
            double dtpMs = ms[1];
            o.printf(Locale.ROOT, "%nAnswers: unpruned %d/%d right, DTP %d/%d right, identical on %d/%d%n", rightFull,
                    picked.size(), rightDtp, picked.size(), agree, picked.size());
            o.printf(Locale.ROOT, "FLOPs ratio (mean): %.1f%%   prefill %.2f ms unpruned, %.2f ms DTP → measured speedup %.2f×%n",
                    100 * flopsRatio / picked.size(), fullMs, dtpMs, fullMs / dtpMs);
        }
        Path png = out.resolve("dtp-kept-patches.png");
        writeOverlay(firstImage, firstTrace.layer(vlm.model().pruningDefaults().early()), png);
        o.printf("Kept patches (first question, layer %d): %s%n", vlm.model().pruningDefaults().early(), png);
    }

    static String stages(PruningTrace trace) {
        StringBuilder sb = new StringBuilder();
        int last = -1;
        int[] counts = trace.keptCounts();
        for (int l = 0; l < counts.length; l++) {
            int v = trace.keptCount(l, TokenKind.VISUAL);
            if (v != last) {
                sb.append(sb.length() == 0 ? "" : " → ").append(v);
                last = v;
            }
        }
        return sb.toString();
    }

    /**
     * Median prefill times of the two settings, measured in turns (unpruned, DTP, unpruned, …) after a
     * warm-up, so that JIT compilation, allocator state and frequency changes hit both alike. A small
     * model's prefill takes milliseconds: at least 30 turns.
     */
    private double[] timeInTurn(Supplier<Prefill> a, Supplier<Prefill> b) {
        int turns = Math.max(runs, 30);
        double[][] ms = new double[2][turns];
        for (int i = -10; i < turns; i++) {
            int k = 0;
            for (Supplier<Prefill> run : List.of(a, b)) {
                long t0 = System.nanoTime();
                try (Prefill p = run.get()) {
                    if (i >= 0) {
                        ms[k][i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                k++;
            }
        }
        return new double[] {Stats.of(ms[0]).median(), Stats.of(ms[1]).median()};
    }

    /** Two panels, ×6: the image, and the image with the patches DTP dropped covered. */
    private void writeOverlay(BufferedImage image, PruningTrace.LayerTrace layer, Path png) throws IOException {
        int side = vlm.visionConfig().gridSide();
        int patches = side * side;
        int scale = 6;
        int size = image.getWidth() * scale;
        int cell = size / side;
        int gap = 12;
        Set<Integer> kept = new HashSet<>();
        for (int p : layer.keptPositions()) {
            if (p < patches) { // visual tokens come first
                kept.add(p);
            }
        }
        BufferedImage img = new BufferedImage(2 * size + gap, size + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(image, 0, 0, size, size, null);
        g.drawImage(image, size + gap, 0, size, size, null);
        g.setColor(new Color(40, 40, 120, 215));
        for (int i = 0; i < patches; i++) {
            if (!kept.contains(i)) {
                g.fillRect(size + gap + (i % side) * cell, (i / side) * cell, cell, cell);
            }
        }
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "Input image | DTP at layer %d keeps %d of %d patches by Δ importance "
                + "(covered = dropped)", layer.layer(), kept.size(), patches), 6, size + 20);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }
}
