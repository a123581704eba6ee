package dev.dtp.mamba.vision;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.vision.vit.ViTSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tiny timm towers of tools/make_tiny_towers.py (src/test/resources/towers/): their specs as the
 * generator read them off timm's models, and timm's features for the test images.
 */
public final class TinyTowers {
    public static final Path DIR = Path.of("src", "test", "resources", "towers");

    private TinyTowers() {}

    /** "tiny" or "full", then "dinov2", "siglip" or "clip". */
    public static ViTSpec spec(String size, String vit) {
        try {
            JsonObject all = JsonParser.parseString(Files.readString(DIR.resolve("specs.json"))).getAsJsonObject();
            return ViTSpec.fromJson(all.getAsJsonObject(size).getAsJsonObject(vit), "specs.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tiny Cobra tower, its files in {@link #DIR}. */
    public static TowerSpec cobra() {
        return new TowerSpec(TowerSpec.COBRA.name(), false, List.of(
                new TowerSpec.Part("dinov2.safetensors", "", spec("tiny", "dinov2")),
                new TowerSpec.Part("siglip.safetensors", "", spec("tiny", "siglip"))));
    }

    /** The tiny RoboMamba tower, its file in {@link #DIR}. */
    public static TowerSpec roboMamba() {
        return new TowerSpec(TowerSpec.ROBOMAMBA.name(), true,
                List.of(new TowerSpec.Part("clip.safetensors", "", spec("tiny", "clip"))));
    }

    /** timm's values for {@code name} in reference.safetensors, e.g. "cobra/wide". */
    public static float[] reference(String name) {
        try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve("reference.safetensors"))) {
            return f.readFloats(name);
        }
    }

    /** max |actual − expected| ≤ 1e-4 · max |expected|, the towers' tolerance. */
    public static double relativeError(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(actual.length + " values, expected " + expected.length);
        }
        double max = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        return err / max;
    }
}
