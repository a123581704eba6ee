package dev.dtp.mamba.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.vision.vit.ViTSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cobra's and RoboMamba's towers in Java against timm (tools/make_tiny_towers.py): tiny random
 * versions of the three ViTs, built by timm from the same model definitions, on two images through
 * each model's own preprocessing; and weights that do not fit the named tower.
 */
class ViTTowerTest {
    @TempDir
    Path dir;

    static long[] shape(long... s) {
        return s;
    }

    private static TowerSpec single(TowerSpec tower, int part) {
        return new TowerSpec(tower.name(), tower.shortestEdgeCrop(), List.of(tower.parts().get(part)));
    }

    private static float[] features(TowerSpec tower, Path weights, String image) throws Exception {
        try (ViTTower t = ViTTower.load(weights, tower, Device.cpu()); NDManager m = NDManager.newBaseManager()) {
            BufferedImage png = ImageIO.read(TinyTowers.DIR.resolve("image-" + image + ".png").toFile());
            float[] f = t.features(png, m).toFloatArray();
            assertTrue(f.length == tower.patches() * tower.featureWidth(), f.length + " values");
            return f;
        }
    }

    @ParameterizedTest(name = "{0} on the {1} image")
    @CsvSource({"dinov2, wide", "dinov2, tall", "siglip, wide", "siglip, tall", "cobra, wide", "cobra, tall",
            "clip, wide", "clip, tall"})
    void featuresEqualTimms(String tower, String image) throws Exception {
        TowerSpec spec = switch (tower) {
            case "dinov2" -> single(TinyTowers.cobra(), 0);
            case "siglip" -> single(TinyTowers.cobra(), 1);
            case "cobra" -> TinyTowers.cobra();
            default -> TinyTowers.roboMamba();
        };
        float[] java = features(spec, TinyTowers.DIR, image);
        double err = TinyTowers.relativeError(TinyTowers.reference(tower + "/" + image), java);
        assertTrue(err <= 1e-4, tower + " on " + image + ": relative error " + err);
    }

    /** Copies a tiny tower file, leaving out or reshaping one tensor. */
    private Path altered(String file, String tensor, long[] newShape) {
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(TinyTowers.DIR.resolve(file))) {
            for (Map.Entry<String, SafetensorsFile.TensorInfo> e : f.tensors().entrySet()) {
                String name = e.getKey();
                long[] shape = e.getValue().shape();
                if (name.equals(tensor) && newShape == null) {
                    continue;
                }
                if (name.equals(tensor)) {
                    long n = 1;
                    for (long s : newShape) {
                        n *= s;
                    }
                    tensors.add(SafetensorsWriter.Tensor.of(name, e.getValue().dtype(), new float[(int) n], newShape));
                } else {
                    float[] v = f.readFloats(name);
                    tensors.add(SafetensorsWriter.Tensor.of(name, e.getValue().dtype(), v, shape));
                }
            }
        }
        Path out = dir.resolve(file);
        SafetensorsWriter.write(out, tensors);
        return out;
    }

    private String loadError(TowerSpec tower, Path weights) {
        return assertThrows(CheckpointException.class, () -> ViTTower.load(weights, tower, Device.cpu()).close())
                .getMessage();
    }

    @Test
    void aMissingTensorIsNamedWithTheTower() throws Exception {
        altered("dinov2.safetensors", "blocks.1.attn.qkv.bias", null);
        Files.copy(TinyTowers.DIR.resolve("siglip.safetensors"), dir.resolve("siglip.safetensors"));
        String msg = loadError(TinyTowers.cobra(), dir);
        assertTrue(msg.contains("dinov2.safetensors") && msg.contains("'dinosiglip-vit-so-384px'")
                && msg.contains("vit_large_patch14_reg4_dinov2.lvd142m")
                && msg.contains("'blocks.1.attn.qkv.bias' is missing"), msg);
    }

    @Test
    void aWrongShapeIsNamedWithTheTower() throws Exception {
        altered("clip.safetensors", "blocks.2.mlp.fc1.weight", shape(64, 32));
        String msg = loadError(TinyTowers.roboMamba(), dir);
        assertTrue(msg.contains("'robomamba-clip224'")
                && msg.contains("'blocks.2.mlp.fc1.weight' has shape [64, 32], the tower needs [128, 32]"), msg);
    }

    @Test
    void anotherViTsFileIsRefused() throws Exception {
        // SigLIP's weights where DINOv2's belong (the --vision files swapped)
        Files.copy(TinyTowers.DIR.resolve("siglip.safetensors"), dir.resolve("dinov2.safetensors"));
        Files.copy(TinyTowers.DIR.resolve("dinov2.safetensors"), dir.resolve("siglip.safetensors"));
        String msg = loadError(TinyTowers.cobra(), dir);
        assertTrue(msg.contains("(vit_large_patch14_reg4_dinov2.lvd142m)")
                && msg.contains("'patch_embed.proj.weight' has shape [48, 3, 14, 14]"), msg);
        // a file with a part the spec lacks would compute something else: CLIP's pre-norm
        ViTSpec clip = TinyTowers.spec("tiny", "clip");
        msg = loadError(clipTower(clip.toBuilder().preNorm(false).build()), TinyTowers.DIR);
        assertTrue(msg.contains("'norm_pre.weight' belongs to a part this tower does not have"), msg);
        // one block more than the tower has
        ViTSpec shallow = clip.toBuilder().depth(2).build();
        msg = loadError(clipTower(shallow), TinyTowers.DIR);
        assertTrue(msg.contains("'blocks.2.norm1.weight' belongs to a part"), msg);
    }

    private static TowerSpec clipTower(ViTSpec clip) {
        return new TowerSpec("t", true, List.of(new TowerSpec.Part("clip.safetensors", "", clip)));
    }

    @Test
    void aMissingWeightsFileIsNamedWithTheTower() {
        String msg = assertThrows(ConfigException.class, () -> ViTTower.load(dir, TinyTowers.roboMamba(), Device.cpu()).close())
                .getMessage();
        assertTrue(msg.contains("clip.safetensors: weights of tower 'robomamba-clip224' (vit_large_patch14_clip_224.openai) "
                + "not found"), msg);
    }

    @Test
    void theProjectorMustReadTheTowersWidth() {
        float[] half = {0.5f, 0.5f, 0.5f};
        VisionConfig twelveWide = new VisionConfig(VisionConfig.Encoder.FEATURES, 384, 14, 3, half, half, 12, 16,
                ProjectorKind.FUSED_GELU_MLP, VisionConfig.Placement.BEFORE_TEXT, "{question}", List.of());
        String msg = assertThrows(CheckpointException.class,
                () -> ViTTower.checkFits(TinyTowers.cobra(), twelveWide, "config.json")).getMessage();
        assertTrue(msg.contains("'dinosiglip-vit-so-384px' gives 80-wide patch features")
                && msg.contains("projector reads 12-wide"), msg);
    }

    @Test
    void theTowerSectionRoundTrips() {
        for (TowerSpec t : List.of(TowerSpec.COBRA, TowerSpec.ROBOMAMBA, TinyTowers.cobra(), TinyTowers.roboMamba())) {
            TowerSpec back = TowerSpec.fromJson(t.toJson(), "config.json");
            assertArrayEquals(t.toJson().toString().toCharArray(), back.toJson().toString().toCharArray());
        }
    }
}
