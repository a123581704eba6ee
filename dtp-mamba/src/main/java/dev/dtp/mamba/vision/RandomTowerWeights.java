package dev.dtp.mamba.vision;

import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.vision.vit.ViTSpec;
import dev.dtp.mamba.vision.vit.ViTTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for a vision tower at its full size, in timm's names, for benchmarks and
 * load tests (no reference values): matrices uniform with variance 1 / fan-in, norms at 1, biases,
 * tokens and positions small, layer scales 0.1. Each tensor's values come from the seed and its
 * name, generated while the file is written.
 */
public final class RandomTowerWeights {
    private RandomTowerWeights() {}

    /** Writes each ViT's file of {@code tower} under {@code dir} (its {@link TowerSpec.Part#file()} path). */
    public static void write(Path dir, TowerSpec tower, long seed, DType dtype) {
        for (TowerSpec.Part part : tower.parts()) {
            SafetensorsWriter.write(dir.resolve(part.file()), tensors(part.vit(), seed, dtype));
        }
    }

    static List<SafetensorsWriter.Tensor> tensors(ViTSpec vit, long seed, DType dtype) {
        List<SafetensorsWriter.Tensor> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : ViTTensors.expected(vit).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            out.add(new SafetensorsWriter.Tensor(name, dtype, shape, () -> values(name, shape, seed)));
        }
        return out;
    }

    private static float[] values(String name, long[] shape, long seed) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        if (name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name.endsWith("norm_pre.weight")) {
            Arrays.fill(v, 1f);
            return v;
        }
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + name.hashCode());
        double scale;
        if (name.endsWith("gamma")) {
            Arrays.fill(v, 0.1f);
            return v;
        } else if (shape.length >= 2 && !name.equals(ViTTensors.POSITIONS) && !name.endsWith("_token")) {
            scale = Math.sqrt(3.0 * shape[0] / n); // uniform(−a, a) with a² / 3 = 1 / fan-in
        } else {
            scale = 0.02;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * (2 * r.nextDouble() - 1));
        }
        return v;
    }
}
