package dev.dtp.bench.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.CliRun;
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
import java.util.Arrays;
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
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void calibrationFindsTheArrangedLayersAndTheModelUsesThem() throws Exception {
        JsonObject c = calibrate("cal", "--target-flops", "0.6");
        Path out = dir.resolve("cal");
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

    static JsonObject calibrate(String name, String... extra) throws Exception {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("calibrate", "--model", model.toString(), "--data", data.toString(),
                "--out", out.toString()));
        args.addAll(List.of(extra));
        run(args.toArray(String[]::new));
        return JsonParser.parseString(Files.readString(out.resolve("calibration.json"))).getAsJsonObject();
    }

    static double[] doubles(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        }
        return v;
    }

    @Test
    void sweepTakesTheEarliestLayerWithinTheKlBudget() throws Exception {
        // an unlimited budget: every tried layer qualifies, so the earliest, 0, replaces the Eq. 7 layer 3
        JsonObject all = calibrate("sweep-all", "--sweep", "--sweep-kl", "1e9");
        JsonObject w = all.getAsJsonObject("evidence").getAsJsonObject("sweep");
        int late = all.get("late").getAsInt();
        assertEquals(0, all.get("early").getAsInt(), all.toString());
        assertEquals(3, w.get("eq7_early").getAsInt());
        double[] kl = doubles(w.getAsJsonArray("kl"));
        double[] flops = doubles(w.getAsJsonArray("flops_ratio"));
        assertEquals(SHAPE.length, kl.length);
        for (int e = 0; e < SHAPE.length; e++) {
            assertEquals(e < late, !Double.isNaN(kl[e]), "layer " + e + " tried iff before the late layer " + late);
            if (e < late) {
                assertTrue(kl[e] >= 0, "KL " + kl[e]);
                assertTrue(e == 0 || flops[e] > flops[e - 1], "FLOPs grow with the early layer: " + Arrays.toString(flops));
            }
        }
        assertEquals(flops[0], all.getAsJsonObject("evidence").get("flops_ratio").getAsDouble(), 1e-12);
        assertNotNull(ImageIO.read(dir.resolve("sweep-all").resolve("sweep-kl.png").toFile()));
        assertTrue(Files.readString(dir.resolve("sweep-all").resolve("calibration.md")).contains("**Sweep**"));

        // a budget equal to the smallest KL picks the first layer that reaches it
        int best = 0;
        for (int e = 1; e < late; e++) {
            best = kl[e] < kl[best] ? e : best;
        }
        JsonObject tight = calibrate("sweep-tight", "--sweep", "--sweep-kl", Double.toString(kl[best]));
        assertEquals(best, tight.get("early").getAsInt(), Arrays.toString(kl));

        // no layer within a negative budget: the Eq. 7 layer stays
        JsonObject none = calibrate("sweep-none", "--sweep", "--sweep-kl", "-1");
        assertEquals(3, none.get("early").getAsInt());
        assertEquals(-1, none.getAsJsonObject("evidence").getAsJsonObject("sweep").get("layer").getAsInt());
    }

    @Test
    void sweepAtKeepRatioOneMeasuresWhatVtwMeasuresAtTheLateLayer() throws Exception {
        // keeping every visual token at the early layer leaves only the late layer's withdrawal, which is
        // exactly VTW at that layer: the two KL measurements must agree for every early layer
        JsonObject c = calibrate("sweep-r1", "--sweep", "--keep-ratio", "1.0");
        int late = c.get("late").getAsInt();
        double vtwAtLate = doubles(c.getAsJsonObject("evidence").getAsJsonObject("vtw").getAsJsonArray("kl"))[late];
        assertTrue(vtwAtLate > 0, "withdrawing at the late layer changes this random model's answer");
        double[] kl = doubles(c.getAsJsonObject("evidence").getAsJsonObject("sweep").getAsJsonArray("kl"));
        for (int e = 0; e < late; e++) {
            assertEquals(vtwAtLate, kl[e], 1e-6 * Math.max(1, vtwAtLate), "early layer " + e);
        }
    }

    @Test
    void sweepRefusesATargetFlops() {
        CliRun r = CliRun.of("calibrate", "--model", model.toString(), "--data",
                data.toString(), "--out", dir.resolve("sweep-bad").toString(), "--sweep", "--target-flops", "0.6");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("--sweep") && r.err().contains("--target-flops"), r.err());
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
        assertTrue(delta[3] > delta[1] && delta[3] > delta[5], Arrays.toString(delta));
        assertTrue(delta[11] > delta[3]);
        for (String png : List.of("std-curve.png", "std-curve-signals.png", "importance-L03.png", "importance-L09.png",
                "attention-L03.png", "attention-all.png", "text-to-visual.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }
    }
}
