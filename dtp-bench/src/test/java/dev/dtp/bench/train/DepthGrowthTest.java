package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A grown model computes what the shallower one did, and the layers in between start as the identity. */
class DepthGrowthTest {
    @TempDir
    Path dir;

    @Test
    void grownModelKeepsTheSmallModelsLogits() throws Exception {
        int vocab = VqaTokenizer.vocabulary().size();
        MambaConfig small = MambaConfig.of(32, 2, vocab).withState(8, 4, 2).withDtRank(2).withVocabPaddedTo(8);
        MambaConfig big = MambaConfig.of(32, 6, vocab).withState(8, 4, 2).withDtRank(2).withVocabPaddedTo(8);
        ShapesVqa data = ShapesVqa.builder().seed(9).build();
        List<ShapesVqaSample> samples = data.samples(Split.TRAIN, 2).toList();
        VqaTokenizer.write(dir.resolve("tokenizer.json"));
        try (NDManager m = NDManager.newBaseManager(); MambaTokenizer tokenizer = MambaTokenizer.load(dir.resolve("tokenizer.json"))) {
            VlmParameters smallParams = new VlmParameters(small, VlmCheckpoint.shapesVqaVision(16), 3, m);
            MambaTrainerGradientTest.jitter(smallParams, 4);
            VlmParameters bigParams = new VlmParameters(big, VlmCheckpoint.shapesVqaVision(16), 8, m);
            Map<String, float[]> values = new HashMap<>();
            smallParams.all().forEach((k, v) -> values.put(k, v.toFloatArray()));
            bigParams.grow(values, 2);
            // layers 0 and 3 are the small model's 0 and 1; 1, 2, 4, 5 are fresh with out_proj = 0
            assertEquals(values.get("backbone.layers.1.mixer.in_proj.weight")[5],
                    bigParams.layer(3, "mixer.in_proj.weight").toFloatArray()[5]);
            assertEquals(0f, bigParams.layer(4, "mixer.out_proj.weight").abs().max().getFloat());
            assertTrue(bigParams.layer(4, "mixer.in_proj.weight").abs().max().getFloat() > 0);
            ShapesVqaBatches batches = new ShapesVqaBatches(data, smallParams.vision, tokenizer);
            TrainBatch batch = batches.batch(samples);
            float[] expected = logits(smallParams, batch, m);
            float[] grown = logits(bigParams, batch, m);
            double err = 0;
            double max = 0;
            for (int i = 0; i < expected.length; i++) {
                err = Math.max(err, Math.abs(expected[i] - grown[i]));
                max = Math.max(max, Math.abs(expected[i]));
            }
            assertTrue(max > 0.1 && err <= 1e-5 * max, "difference " + err + " of " + max);
            assertThrows(IllegalArgumentException.class, () -> bigParams.grow(values, 4));
        }
    }

    private static float[] logits(VlmParameters params, TrainBatch batch, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            MambaTrainer trainer = new MambaTrainer(params);
            List<NDArray> hs = trainer.forward(batch, scope);
            return trainer.logits(hs.get(hs.size() - 1), batch.answerRows()).toFloatArray();
        }
    }
}
