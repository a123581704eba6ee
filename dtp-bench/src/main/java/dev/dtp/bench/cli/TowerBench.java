package dev.dtp.bench.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.sun.management.OperatingSystemMXBean;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.vision.RandomTowerWeights;
import dev.dtp.mamba.vision.TowerSpec;
import dev.dtp.mamba.vision.ViTTower;
import dev.dtp.mamba.vision.vit.ViTSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code dtp bench --tower cobra|robomamba}: one image (640 × 480, resized by the tower) through a
 * model's vision tower at full size with seeded random weights, written as F16 files into a
 * temporary directory and loaded as a converted model's would be.
 */
final class TowerBench {
    private TowerBench() {}

    static TowerSpec tower(String family) {
        return switch (family) {
            case "cobra" -> TowerSpec.COBRA;
            case "robomamba" -> TowerSpec.ROBOMAMBA;
            default -> throw new IllegalArgumentException("--tower must be cobra or robomamba, got '" + family + "'");
        };
    }

    static Map<String, Object> measure(String family, int warmup, int runs, long seed, Device device, Progress progress) {
        TowerSpec tower = tower(family);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("dtp-tower-bench");
            progress.update(0, "writing random weights");
            long t0 = System.nanoTime();
            RandomTowerWeights.write(dir, tower, seed, DType.F16);
            long t1 = System.nanoTime();
            BufferedImage image = testImage();
            double[] ms = new double[runs];
            double[] cpu = new double[runs];
            long loadNanos;
            try (ViTTower t = ViTTower.load(dir, tower, device); NDManager m = NDManager.newBaseManager(device)) {
                loadNanos = System.nanoTime() - t1;
                for (int r = -warmup; r < runs; r++) {
                    progress.update(r + warmup + 1, "image " + (r + warmup + 1));
                    try (NDManager scope = m.newSubManager()) {
                        long s = System.nanoTime();
                        long c = cpuNanos();
                        t.features(image, scope).toFloatArray(); // waits for the device
                        if (r >= 0) {
                            ms[r] = (System.nanoTime() - s) / 1e6;
                            cpu[r] = (cpuNanos() - c) / 1e9;
                        }
                    }
                }
            }
            Stats st = Stats.of(ms);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tower", tower.name());
            row.put("vits", String.join(" + ", tower.parts().stream().map(p -> p.vit().name()).toList()));
            row.put("image_px", tower.imageSize());
            row.put("patches", tower.patches());
            row.put("feature_width", tower.featureWidth());
            row.put("image_ms_median", Math.round(st.median()));
            row.put("image_ms_min", Math.round(st.min()));
            row.put("image_ms_max", Math.round(st.max()));
            row.put("image_cpu_s_median", Math.round(Stats.of(cpu).median() * 10) / 10.0);
            double gflop = tower.parts().stream().mapToDouble(p -> gflop(p.vit())).sum();
            row.put("gflop", Math.round(gflop));
            row.put("gflop_per_s", Math.round(gflop / (st.median() / 1e3)));
            row.put("load_s", Math.round(loadNanos / 1e8) / 10.0);
            row.put("write_s", Math.round((t1 - t0) / 1e8) / 10.0);
            row.put("peak_rss_mb", NativeMemory.peakResidentBytes() / (1 << 20));
            return row;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /**
     * Multiply-adds × 2 of one image up to the feature block: patch embedding, then per block the qkv,
     * output and MLP products (2 · tokens · (4 d² + 2 d h)) and attention's two (2 · 2 · tokens² · d).
     */
    static double gflop(ViTSpec vit) {
        double n = vit.patches() + vit.prefixTokens();
        double d = vit.width();
        double patchEmbed = 2.0 * vit.patches() * d * 3 * vit.patchSize() * vit.patchSize();
        double block = 2 * n * (4 * d * d + 2 * d * vit.mlpHidden()) + 4 * n * n * d;
        return (patchEmbed + (vit.featureBlock() + 1) * block) / 1e9;
    }

    /** CPU time of the whole process (Java and libtorch threads), which other load on the machine does not inflate. */
    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** A smooth gradient with texture, 640 × 480 (not square: Cobra resizes it naively, CLIP crops it). */
    private static BufferedImage testImage() {
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                image.setRGB(x, y, (x * 255 / 640) << 16 | (y * 255 / 480) << 8 | ((x ^ y) & 0xFF));
            }
        }
        return image;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is not worth failing the benchmark for
        }
    }
}
