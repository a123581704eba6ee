package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.vision.TorchScriptBackbone;
import dev.dtp.mamba.vision.VisionConfig;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vision backbone exported with TorchScript runs through DJL inside a converted Cobra-style model:
 * its features for the committed image equal torch's (tools/make_tiny_backbone.py), and an image
 * input gives the same logits as those features given directly.
 */
class TorchScriptBackboneTest {
    static final Path BACKBONE = Path.of("..", "dtp-mamba", "src", "test", "resources", "backbone");

    @TempDir
    Path dir;

    @Test
    void imagesGoThroughTheExportedBackbone() throws Exception {
        Path model = dir.resolve("cobra");
        assertEquals(0, CliRun.of("convert", "cobra", "--checkpoint", ConvertCommandTest.TORCH.resolve("cobra_fake_f32.pt").toString(),
                "--out", model.toString(), "--tokenizer", ConvertCommandTest.TOKENIZER.toString(), "--patches", "16").exit());
        Files.copy(BACKBONE.resolve("backbone.pt"), model.resolve("backbone.pt"), StandardCopyOption.REPLACE_EXISTING);
        JsonObject config = JsonParser.parseString(Files.readString(model.resolve("config.json"))).getAsJsonObject();
        JsonObject vision = config.getAsJsonObject("vision");
        vision.addProperty("image_size", 56);
        JsonObject backbone = new JsonObject();
        backbone.addProperty("file", "backbone.pt");
        backbone.addProperty("input", "unit");
        vision.add("backbone", backbone);
        Files.writeString(model.resolve("config.json"), config.toString());

        JsonObject ref = JsonParser.parseString(Files.readString(BACKBONE.resolve("reference.json"))).getAsJsonObject();
        JsonArray values = ref.getAsJsonArray("features");
        float[] expected = new float[values.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = values.get(i).getAsFloat();
        }
        BufferedImage image = ImageIO.read(BACKBONE.resolve("image.png").toFile());
        try (VisionLanguageModel vlm = VisionLanguageModel.load(model); NDManager m = NDManager.newBaseManager()) {
            float[] logitsFromImage;
            try (Prefill p = vlm.model().prefill(vlm.input(image, "what is it ?", m), PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                logitsFromImage = p.logits();
            }
            NDArray features = NativeArrays.floats(m, expected, new Shape(16, 12));
            float[] logitsFromFeatures;
            try (Prefill p = vlm.model().prefill(vlm.inputFromFeatures(features, "what is it ?", m), PruningPolicy.none(),
                    PrefillOptions.DEFAULT)) {
                logitsFromFeatures = p.logits();
            }
            double max = 0;
            double err = 0;
            for (int v = 0; v < logitsFromImage.length; v++) {
                max = Math.max(max, Math.abs(logitsFromFeatures[v]));
                err = Math.max(err, Math.abs(logitsFromFeatures[v] - logitsFromImage[v]));
            }
            assertTrue(err <= 1e-4 * max, "logits from the image differ from logits from torch's features by " + err);
        }
        // the backbone alone, against torch
        try (var b = TorchScriptBackbone.load(model.resolve("backbone.pt"),
                        VisionConfig.fromJson(vision, "test"), true, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            float[] got = b.features(image, m).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 1e-5, "feature " + i);
            }
        }
    }
}
