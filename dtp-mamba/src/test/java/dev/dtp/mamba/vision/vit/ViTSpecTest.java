package dev.dtp.mamba.vision.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dtp.mamba.vision.TinyTowers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The presets are timm's models: the generator read each real tower's architecture off timm's
 * full-size model objects (tools/make_tiny_towers.py, specs.json); and the tiny test towers differ
 * from them only in their sizes, so the tiny tests run the presets' architecture.
 */
class ViTSpecTest {
    static ViTSpec preset(String vit) {
        return switch (vit) {
            case "dinov2" -> ViTSpec.DINOV2_L14_REG4;
            case "siglip" -> ViTSpec.SIGLIP_SO400M_14_384;
            default -> ViTSpec.CLIP_L14_224_QUICKGELU;
        };
    }

    @ParameterizedTest
    @CsvSource({"dinov2", "siglip", "clip"})
    void presetsAreTimmsFullSizeModels(String vit) {
        assertEquals(TinyTowers.spec("full", vit).toJson(), preset(vit).toJson());
    }

    @ParameterizedTest
    @CsvSource({"dinov2", "siglip", "clip"})
    void tinyTowersArePresetsWithOtherSizes(String vit) {
        ViTSpec tiny = TinyTowers.spec("tiny", vit);
        ViTSpec resized = preset(vit).toBuilder().image(tiny.imageSize(), tiny.patchSize()).width(tiny.width())
                .depth(tiny.depth()).heads(tiny.heads()).mlpHidden(tiny.mlpHidden()).positionGrid(tiny.positionGrid()).build();
        assertEquals(tiny.toJson(), resized.toJson());
    }

    @ParameterizedTest
    @CsvSource({"dinov2", "siglip", "clip"})
    void jsonRoundTrips(String vit) {
        assertEquals(preset(vit).toJson(), ViTSpec.fromJson(preset(vit).toJson(), "test").toJson());
    }
}
