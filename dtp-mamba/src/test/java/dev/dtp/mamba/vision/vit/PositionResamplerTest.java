package dev.dtp.mamba.vision.vit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.vision.TinyTowers;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Position embeddings resampled as timm's resample_abs_pos_embed does (values from timm, specs.json's generator). */
class PositionResamplerTest {
    @Test
    void dinov2sGridShrinksFrom37To27AsInTimm() {
        float[] got = PositionResampler.resample(TinyTowers.reference("resample/in"), 37, 27, 8);
        double err = TinyTowers.relativeError(TinyTowers.reference("resample/out"), got);
        assertTrue(err <= 1e-5, "relative error " + err);
    }

    @Test
    void theTinyDinov2sPublishedGridIsResampledAsTimmLoadsIt() {
        float[] published;
        try (SafetensorsFile f = SafetensorsFile.open(TinyTowers.DIR.resolve("dinov2.safetensors"))) {
            published = f.readFloats("pos_embed"); // (1, 7 · 7, 32): no rows for the class and register tokens
        }
        float[] got = PositionResampler.resample(published, 7, 4, 32);
        double err = TinyTowers.relativeError(TinyTowers.reference("dinov2/pos_embed"), got);
        assertTrue(err <= 1e-5, "relative error " + err);
    }

    @Test
    void theSameSideIsACopy() {
        float[] grid = {1, 2, 3, 4};
        float[] same = PositionResampler.resample(grid, 2, 2, 1);
        assertTrue(Arrays.equals(grid, same) && same != grid);
    }
}
