package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.convert.CheckpointConverter;
import dev.dtp.mamba.convert.ModelFamily;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.vision.TowerSpec;
import dev.dtp.mamba.vision.VisionLanguageModel;
import dev.dtp.mamba.vision.vit.ViTSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * From an image to an answer with the vision towers in Java: tiny Cobra and RoboMamba checkpoints
 * whose towers are timm's (tools/make_tiny_towers.py) are converted with their tower weights, and
 * the logits for an image equal those for the features timm computed for it, given through the
 * features path; {@code dtp generate --image} then runs; weights that do not fit are refused.
 */
class JavaTowerTest {
    static final Path TOWERS = Path.of("..", "dtp-mamba", "src", "test", "resources", "towers");
    static final String QUESTION = "what is it ?";

    @TempDir
    Path dir;

    /** The family's tower with the tiny ViTs of specs.json. */
    static TowerSpec tiny(TowerSpec family, String... vits) throws Exception {
        JsonObject all = JsonParser.parseString(Files.readString(TOWERS.resolve("specs.json"))).getAsJsonObject();
        List<ViTSpec> specs = Arrays.stream(vits)
                .map(v -> ViTSpec.fromJson(all.getAsJsonObject("tiny").getAsJsonObject(v), "specs.json")).toList();
        return family.withVits(specs);
    }

    private Path convertCobra(TowerSpec tower, String... files) throws Exception {
        Path out = dir.resolve("cobra");
        CheckpointConverter.convert(ModelFamily.COBRA, TOWERS.resolve("tiny_cobra.pt"), out, ConvertCommandTest.TOKENIZER, null,
                Arrays.stream(files).map(TOWERS::resolve).toList(), tower);
        return out;
    }

    private static float[] logits(VisionLanguageModel vlm, ModelInput input) {
        try (Prefill p = vlm.model().prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
            return p.logits();
        }
    }

    @ParameterizedTest(name = "{0} on the {1} image")
    @CsvSource({"cobra, wide", "cobra, tall", "robomamba, wide", "robomamba, tall"})
    void logitsFromAnImageEqualThoseFromTimmsFeatures(String family, String image) throws Exception {
        Path model;
        if (family.equals("cobra")) {
            model = convertCobra(tiny(TowerSpec.COBRA, "dinov2", "siglip"), "dinov2.safetensors", "siglip.safetensors");
        } else {
            model = dir.resolve("robomamba"); // the ViT comes from the checkpoint's vision.model.*
            CheckpointConverter.convert(ModelFamily.ROBOMAMBA, TOWERS.resolve("tiny_robomamba.pth"), model,
                    ConvertCommandTest.TOKENIZER, null, List.of(), tiny(TowerSpec.ROBOMAMBA, "clip"));
        }
        assertImageLogitsMatchTimm(model, family.equals("cobra") ? "cobra/" + image : "clip/" + image, image);
    }

    @Test
    void aPyTorchFileWithAPrefixServesAsTowerWeights() throws Exception {
        // the tower from a torch.save file whose names carry a prefix (here the .pth's own vision.model.)
        Path model = dir.resolve("robomamba");
        Path pth = TOWERS.resolve("tiny_robomamba.pth");
        CheckpointConverter.convert(ModelFamily.ROBOMAMBA, pth, model, ConvertCommandTest.TOKENIZER, null, List.of(pth),
                tiny(TowerSpec.ROBOMAMBA, "clip"));
        assertImageLogitsMatchTimm(model, "clip/wide", "wide");
    }

    /** Logits for the image equal those for timm's features ({@code reference}) given as patch features. */
    private static void assertImageLogitsMatchTimm(Path model, String reference, String image) throws Exception {
        float[] timm;
        try (SafetensorsFile ref = SafetensorsFile.open(TOWERS.resolve("reference.safetensors"))) {
            timm = ref.readFloats(reference);
        }
        BufferedImage png = ImageIO.read(TOWERS.resolve("image-" + image + ".png").toFile());
        try (VisionLanguageModel vlm = VisionLanguageModel.load(model); NDManager m = NDManager.newBaseManager()) {
            int patches = vlm.visionConfig().patches();
            float[] fromImage = logits(vlm, vlm.input(png, QUESTION, m));
            float[] fromFeatures = logits(vlm, vlm.inputFromFeatures(
                    NativeArrays.floats(m, timm, new Shape(patches, timm.length / patches)), QUESTION, m));
            double max = 0;
            double err = 0;
            for (int v = 0; v < fromImage.length; v++) {
                max = Math.max(max, Math.abs(fromFeatures[v]));
                err = Math.max(err, Math.abs(fromFeatures[v] - fromImage[v]));
            }
            assertTrue(err <= 1e-4 * max, reference + ": logits differ by " + err + " of " + max);
        }
    }

    @Test
    void generateTakesAnImageWithNothingElse() throws Exception {
        Path model = convertCobra(tiny(TowerSpec.COBRA, "dinov2", "siglip"), "dinov2.safetensors", "siglip.safetensors");
        assertTrue(Files.isRegularFile(model.resolve("vision/dinov2.safetensors")));
        JsonObject tower = JsonParser.parseString(Files.readString(model.resolve("config.json"))).getAsJsonObject()
                .getAsJsonObject("vision").getAsJsonObject("tower");
        assertEquals("dinosiglip-vit-so-384px", tower.get("name").getAsString());
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--image", TOWERS.resolve("image-wide.png").toString(),
                "--prompt", QUESTION, "--policy", "none", "--max-new-tokens", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("visual tokens L0: 16"), r.out());
    }

    @Test
    void swappedTowerFilesAreRefusedNamingTheTensor() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> convertCobra(tiny(TowerSpec.COBRA, "dinov2", "siglip"), "siglip.safetensors", "dinov2.safetensors"));
        String msg = e.getMessage();
        assertTrue(msg.contains("siglip.safetensors: tower 'dinosiglip-vit-so-384px' (vit_large_patch14_reg4_dinov2.lvd142m)")
                && msg.contains("'patch_embed.proj.weight' has shape [48, 3, 14, 14]"), msg);
        assertTrue(!Files.exists(dir.resolve("cobra").resolve("vision")), "nothing written");
        e = assertThrows(CheckpointException.class,
                () -> convertCobra(tiny(TowerSpec.COBRA, "dinov2", "siglip"), "dinov2.safetensors"));
        assertTrue(e.getMessage().contains("give 2 weight files in that order, got 1"), e.getMessage());
    }

    @Test
    void theCommandLineRefusesTowersThatDoNotFitTheProjector() {
        // the tiny checkpoint's projector reads 80-wide features; the real tower gives 1024 + 1152
        String files = TOWERS.resolve("dinov2.safetensors") + "," + TOWERS.resolve("siglip.safetensors");
        CliRun r = CliRun.of("convert", "cobra", "--checkpoint", TOWERS.resolve("tiny_cobra.pt").toString(), "--out",
                dir.resolve("c").toString(), "--vision", files);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("tower 'dinosiglip-vit-so-384px' gives 2176-wide patch features")
                && r.err().contains("projector reads 80-wide"), r.err());
        // RoboMamba's .pth holds its ViT: the fake's is 8 wide, not CLIP's 1024
        r = CliRun.of("convert", "robomamba", "--checkpoint", ConvertCommandTest.TORCH.resolve("robomamba_fake.pth").toString(),
                "--out", dir.resolve("r").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("tower 'robomamba-clip224' gives 1024-wide") && r.err().contains("reads 8-wide"), r.err());
    }

    @Test
    void theTowerBenchmarkNamesTheTowersItKnows() {
        CliRun r = CliRun.of("bench", "--tower", "llava");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--tower must be cobra or robomamba, got 'llava'"), r.err());
    }
}
