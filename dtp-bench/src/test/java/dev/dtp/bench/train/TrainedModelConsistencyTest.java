package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.core.InputException;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TokenKind;
import dev.dtp.fixtures.Float64Ops;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import dev.dtp.mamba.vision.ImagePreprocessor;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What training computes is what the shipped model computes: the trainer's batched forward and the
 * library's VisionLanguageModel (patch embedding, projector, Mamba prefill) give the same logits
 * for the same ShapesVQA sample, and the projector matches a float64 computation with erf GELU.
 */
class TrainedModelConsistencyTest {
    @TempDir
    Path dir;

    @Test
    void trainerForwardEqualsTheInferenceModel() throws Exception {
        int vocab = VqaTokenizer.vocabulary().size();
        MambaConfig config = MambaConfig.of(32, 4, vocab).withState(16, 4, 2).withDtRank(2).withVocabPaddedTo(8);
        ShapesVqa data = ShapesVqa.builder().seed(9).build();
        List<ShapesVqaSample> samples = data.samples(Split.TEST, 3).toList();
        try (NDManager m = NDManager.newBaseManager()) {
            VlmParameters params = new VlmParameters(config, VlmCheckpoint.shapesVqaVision(32), 5, m);
            MambaTrainerGradientTest.jitter(params, 8);
            VlmCheckpoint.write(dir, params, null);
            float[][] trainerLogits = new float[samples.size()][];
            try (MambaTokenizer tokenizer = MambaTokenizer.load(dir); NDManager step = m.newSubManager()) {
                ShapesVqaBatches batches = new ShapesVqaBatches(data, params.vision, tokenizer);
                TrainBatch batch = batches.batch(samples);
                MambaTrainer trainer = new MambaTrainer(params);
                List<NDArray> hs = trainer.forward(batch, step);
                NDArray logits = trainer.logits(hs.get(hs.size() - 1), batch.answerRows());
                for (int i = 0; i < samples.size(); i++) {
                    trainerLogits[i] = logits.get(i).toFloatArray();
                }
            }
            try (VisionLanguageModel vlm = VisionLanguageModel.load(dir); NDManager scope = NDManager.newBaseManager()) {
                for (int i = 0; i < samples.size(); i++) {
                    ModelInput input = vlm.input(data.render(samples.get(i)), samples.get(i).question(), scope);
                    assertEquals(256, input.layout().count(TokenKind.VISUAL));
                    try (Prefill p = vlm.model().prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                        float[] lib = p.logits();
                        double max = 0;
                        double err = 0;
                        for (int v = 0; v < lib.length; v++) {
                            max = Math.max(max, Math.abs(lib[v]));
                            err = Math.max(err, Math.abs(lib[v] - trainerLogits[i][v]));
                        }
                        assertTrue(err <= 1e-4 * max, "sample " + i + ": max difference " + err + " of " + max);
                    }
                }
            }
        }
    }

    @Test
    void visualTokensMatchAFloat64Computation() throws Exception {
        VlmCheckpoint.writeRandom(dir, 2, 16, 4);
        ShapesVqa data = ShapesVqa.builder().seed(1).build();
        BufferedImage image = data.render(data.samples(Split.TEST, 1).toList().get(0));
        try (VisionLanguageModel vlm = VisionLanguageModel.load(dir); NDManager m = NDManager.newBaseManager();
                SafetensorsFile f =
                        SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            float[] tokens = vlm.vision().encode(image, m).toFloatArray();
            float[] patches = new ImagePreprocessor(vlm.visionConfig()).patches(image);
            // independent: pixels straight from the image, then the MLP in doubles
            int fw = 16;
            int patchDim = 48;
            double[] pw = doubles(f.readFloats("vision.patch_embed.weight"));
            double[] pb = doubles(f.readFloats("vision.patch_embed.bias"));
            double[] pos = doubles(f.readFloats("vision.position_embed"));
            int side = 16;
            for (int patch : new int[] {0, 17, 255}) {
                double[] in = new double[patchDim];
                int py = patch / side;
                int px = patch % side;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            int rgb = image.getRGB(px * 4 + x, py * 4 + y);
                            int v = (rgb >> (16 - 8 * c)) & 0xFF;
                            in[(c * 4 + y) * 4 + x] = (v / 255.0 - 0.5) / 0.25;
                            assertEquals(in[(c * 4 + y) * 4 + x], patches[patch * patchDim + (c * 4 + y) * 4 + x], 1e-5);
                        }
                    }
                }
                double[] h = new double[fw];
                for (int o = 0; o < fw; o++) {
                    double s = pb[o] + pos[patch * fw + o];
                    for (int i = 0; i < patchDim; i++) {
                        s += pw[o * patchDim + i] * in[i];
                    }
                    h[o] = s;
                }
                h = gelu(layer(f, "projector.0", h, 4 * fw));
                h = gelu(layer(f, "projector.2", h, 16));
                h = layer(f, "projector.4", h, 16);
                for (int o = 0; o < 16; o++) {
                    assertEquals(h[o], tokens[patch * 16 + o], 1e-4 * (1 + Math.abs(h[o])), "patch " + patch + " dim " + o);
                }
            }
        }
    }

    @Test
    void brokenVisionFilesGiveClearErrors() throws Exception {
        VlmCheckpoint.writeRandom(dir, 2, 16, 4);
        // features of the wrong shape
        try (VisionLanguageModel vlm = VisionLanguageModel.load(dir); NDManager m = NDManager.newBaseManager()) {
            InputException e = assertThrows(InputException.class,
                    () -> vlm.inputFromFeatures(m.zeros(new Shape(255, 16)), "is there a cat?", m));
            assertTrue(e.getMessage().contains("(256, 16)"), e.getMessage());
            float[] nan = new float[256 * 16];
            nan[1000] = Float.NaN;
            NDArray bad = NativeArrays.floats(m, nan, new Shape(256, 16));
            assertThrows(InputException.class, () -> vlm.inputFromFeatures(bad, "is there a cat?", m));
            // the caller's array is still the caller's: open, and no temporaries left beside it
            int before = m.getManagedArrays().size();
            NDArray good = NativeArrays.floats(m, new float[256 * 16], new Shape(256, 16));
            ModelInput in = vlm.inputFromFeatures(good, "is there a cat?", m);
            assertEquals(0f, good.sum().getFloat());
            assertEquals(before + 2 + 1, m.getManagedArrays().size(), "features, visual tokens, the sum");
            assertEquals(256, in.layout().count(TokenKind.VISUAL));
        }
        // a vision section that does not add up
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"patch_size\": 4", "\"patch_size\": 5"));
        ConfigException c = assertThrows(ConfigException.class, () -> VisionLanguageModel.load(dir));
        assertTrue(c.getMessage().contains("patch_size"), c.getMessage());
        Files.writeString(dir.resolve("config.json"), config);
        // a projector tensor missing from the checkpoint
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            List<SafetensorsWriter.Tensor> kept = new ArrayList<>();
            for (var e : f.tensors().entrySet()) {
                if (!e.getKey().equals("projector.2.bias")) {
                    kept.add(SafetensorsWriter.Tensor.of(e.getKey(), DType.F32, f.readFloats(e.getKey()),
                            e.getValue().shape()));
                }
            }
            SafetensorsWriter.write(dir.resolve("model.tmp"), kept, Map.of());
        }
        Files.move(dir.resolve("model.tmp"), dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        CheckpointException k = assertThrows(CheckpointException.class, () -> VisionLanguageModel.load(dir));
        assertTrue(k.getMessage().contains("projector.2.bias"), k.getMessage());
    }

    private static double[] layer(SafetensorsFile f, String name, double[] in, int outWidth) {
        return Float64Ops.linear(f.readFloats(name + ".weight"), f.readFloats(name + ".bias"), in);
    }

    private static double[] gelu(double[] v) {
        return Float64Ops.gelu(v);
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
