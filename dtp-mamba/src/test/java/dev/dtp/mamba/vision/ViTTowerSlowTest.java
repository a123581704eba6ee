package dev.dtp.mamba.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.checkpoint.DType;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real towers at full size load and run (random weights, F16 files as a 2-byte release would
 * be; no reference values at this size — ViTTowerTest checks the numerics against timm on tiny
 * towers of the same architecture): Cobra's gives (729, 2176), RoboMamba's (256, 1024), all finite.
 */
@Tag("slow")
class ViTTowerSlowTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"cobra, 729, 2176", "robomamba, 256, 1024"})
    void fullSizeTowersLoadAndRun(String family, int patches, int width) {
        TowerSpec tower = family.equals("cobra") ? TowerSpec.COBRA : TowerSpec.ROBOMAMBA;
        RandomTowerWeights.write(dir, tower, 1, DType.F16);
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                image.setRGB(x, y, (x * 255 / 640) << 16 | (y * 255 / 480) << 8 | ((x ^ y) & 0xFF));
            }
        }
        try (ViTTower t = ViTTower.load(dir, tower, Device.cpu()); NDManager m = NDManager.newBaseManager()) {
            NDArray f = t.features(image, m);
            assertEquals(new Shape(patches, width), f.getShape());
            float[] v = f.toFloatArray();
            double sum = 0;
            for (float x : v) {
                assertTrue(Float.isFinite(x), "non-finite feature");
                sum += Math.abs(x);
            }
            assertTrue(sum > 0, "all features are zero");
        }
    }
}
