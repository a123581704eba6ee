package dev.dtp.bench.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.train.VlmCheckpoint;
import dev.dtp.core.DtpPruner;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.model.MambaModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dtp analyze} and {@code dtp calibrate} on a 12-layer model whose Δ are arranged to have a
 * known structure: the spread of Δ over tokens is scaled per layer (through dt_proj) to a curve with
 * one clear peak at layer 3 and a steep rise from layer 7 on.
 */
class CalibrateCommandTest {
    /** Per-layer scale of dt_proj.weight: the shape the Eq. 7 curve should take. */
    static final double[] SHAPE = {1, 1, 2, 8, 2, 1, 1, 1, 3, 6, 12, 24};

    @TempDir
    static Path dir;

    static Path model;
    static Path data;

    @BeforeAll
    static void create() throws Exception {
        model = dir.resolve("model");
        VlmCheckpoint.writeRandom(model, SHAPE.length, 32, 6);
        Path file = model.resolve("model.safetensors");
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (var e : f.tensors().entrySet()) {
                float[] v = f.readFloats(e.getKey());
                for (int l = 0; l < SHAPE.length; l++) {
                    if (e.getKey().equals("backbone.layers." + l + ".mixer.dt_proj.weight")) {
                        for (int i = 0; i < v.length; i++) {
                            v[i] *= (float) (20 * SHAPE[l]);
                        }
                    }
                }
                tensors.add(SafetensorsWriter.Tensor.of(e.getKey(), DType.F32, v, e.getValue().shape()));
            }
        }
        SafetensorsWriter.write(dir.resolve("tmp.safetensors"), tensors, Map.of());
        Files.move(dir.resolve("tmp.safetensors"), file, StandardCopyOption.REPLACE_EXISTING);
        ShapesVqa.builder().seed(3).build().write(Split.VALIDATION, 6, dir.resolve("data"), i -> {});
        data = dir.resolve("data").resolve(ShapesVqa.jsonlName(Split.VALIDATION));
    }

    static void run(String... args) {
        dev.dtp.bench.cli.CliRun r = dev.dtp.bench.cli.CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void calibrationFindsTheArrangedLayersAndTheModelUsesThem() throws Exception {
        Path out = dir.resolve("cal");
        run("calibrate", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
                "--target-flops", "0.6");
        JsonObject c = JsonParser.parseString(Files.readString(out.resolve("calibration.json"))).getAsJsonObject();
        assertEquals(3, c.get("early").getAsInt(), c.toString());
        JsonObject late = c.getAsJsonObject("evidence").getAsJsonObject("late");
        int rise = late.get("rise_start").getAsInt();
        assertTrue(rise >= 6 && rise <= 8, "rise start " + rise);
        assertTrue(c.get("late").getAsInt() >= rise);
        assertEquals(SHAPE.length, c.getAsJsonArray("std").size());
        assertEquals(0.6, c.getAsJsonObject("evidence").get("flops_ratio").getAsDouble(), 0.01);
        assertTrue(c.get("policy").getAsString().startsWith("dtp:early=3,"));
        assertEquals(SHAPE.length, c.getAsJsonObject("evidence").getAsJsonObject("vtw").getAsJsonArray("kl").size());
        for (String png : List.of("std-curve.png", "text-to-visual.png", "vtw-kl.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png);
            assertTrue(img.getWidth() >= 600, png);
        }
        assertTrue(Files.readString(out.resolve("calibration.md")).contains("Early layer 3"));
        // the file drives DtpPruner.wrap
        try (MambaModel m = MambaModel.builder().calibration(out.resolve("calibration.json")).load(model)) {
            assertEquals(DtpPruner.wrap(m).policy().name(), c.get("policy").getAsString());
        }
    }

    @Test
    void analyzeWritesTheFigures() throws Exception {
        Path out = dir.resolve("analysis");
        run("analyze", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
                "--limit", "3", "--layers", "3,9");
        List<String> csv = Files.readAllLines(out.resolve("std-curve.csv"));
        assertEquals(SHAPE.length + 1, csv.size());
        assertTrue(csv.get(0).startsWith("layer,delta_std_mean,delta_std_spread,y_std_mean"));
        // the arranged structure shows in the CSV: layer 3 above its neighbours, layer 11 highest
        double[] delta = csv.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
        assertTrue(delta[3] > delta[1] && delta[3] > delta[5], java.util.Arrays.toString(delta));
        assertTrue(delta[11] > delta[3]);
        for (String png : List.of("std-curve.png", "std-curve-signals.png", "importance-L03.png", "importance-L09.png",
                "attention-L03.png", "attention-all.png", "text-to-visual.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }
    }
}
