package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training initialisation lets the answer's gradient reach the whole image: the gradient of the
 * position embedding at the first patch rows is within 10⁻² of the last patch's (with Mamba's usual
 * A = −(1..N), Δ ∈ [0.001, 0.1] it was ~3·10⁻⁴, and the model never learned to look at the image).
 */
class TrainingInitTest {
    @TempDir
    Path dir;

    @Test
    void answerGradientReachesTheFirstPatches() throws Exception {
        int vocab = VqaTokenizer.vocabulary().size();
        MambaConfig config = MambaConfig.of(64, 2, vocab).withState(16, 4, 2).withDtRank(4).withVocabPaddedTo(8);
        ShapesVqa data = ShapesVqa.builder().seed(1).build();
        VqaTokenizer.write(dir.resolve("tokenizer.json"));
        try (NDManager m = NDManager.newBaseManager(); MambaTokenizer tokenizer = MambaTokenizer.load(dir.resolve("tokenizer.json"))) {
            VlmParameters params = new VlmParameters(config, VlmCheckpoint.shapesVqaVision(64), 2, m);
            TrainBatch b = new ShapesVqaBatches(data, params.vision, tokenizer).batch(data.samples(Split.TRAIN, 4).toList());
            try (NDManager step = m.newSubManager()) {
                new MambaTrainer(params).lossAndGradients(b, step);
            }
            NDArray g = params.get("vision.position_embed").getGradient();
            float[] grad = g.toFloatArray();
            g.close();
            int width = grad.length / 256;
            double first = rowMax(grad, width, 0, 16);
            double last = rowMax(grad, width, 255, 256);
            assertTrue(first > 1e-2 * last, "first rows " + first + " vs last row " + last);
        }
    }

    private static double rowMax(float[] g, int width, int from, int to) {
        double max = 0;
        for (int i = from * width; i < to * width; i++) {
            max = Math.max(max, Math.abs(g[i]));
        }
        return max;
    }
}
