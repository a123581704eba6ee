package dev.dtp.core.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    static final float[] LOGITS = {1f, 3f, 3f, 2f, -1f};

    @Test
    void greedyTakesTheArgmaxWithTiesToTheLowestId() {
        assertEquals(1, new Sampler(GenerationConfig.greedy(4)).next(LOGITS));
    }

    @Test
    void samplingIsSeededAndFollowsTheDistribution() {
        GenerationConfig cfg = GenerationConfig.greedy(1).withSampling(1f, 0, 1f, 42);
        Sampler a = new Sampler(cfg);
        Sampler b = new Sampler(cfg);
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < 20000; i++) {
            int x = a.next(LOGITS);
            assertEquals(x, b.next(LOGITS)); // same seed, same sequence
            counts[x]++;
        }
        // softmax(1, 3, 3, 2, −1) = (e, e³, e³, e², e⁻¹) / 50.646 = 0.0537, 0.3966, 0.3966, 0.1459, 0.0073
        double[] p = {0.0537, 0.3966, 0.3966, 0.1459, 0.0073};
        for (int i = 0; i < p.length; i++) {
            assertEquals(p[i], counts[i] / 20000.0, 0.015, "token " + i);
        }
    }

    @Test
    void topKAndTopPTruncate() {
        Sampler topK = new Sampler(GenerationConfig.greedy(1).withSampling(1f, 2, 1f, 1));
        Sampler topP = new Sampler(GenerationConfig.greedy(1).withSampling(1f, 0, 0.5f, 1));
        for (int i = 0; i < 500; i++) {
            int k = topK.next(LOGITS);
            assertTrue(k == 1 || k == 2, "top-2 gave " + k);
            int q = topP.next(LOGITS);
            assertTrue(q == 1 || q == 2, "top-p 0.5 gave " + q); // 0.40 + 0.40 reaches 0.5 after two
        }
        // a high temperature flattens the distribution: the rare token appears
        Sampler hot = new Sampler(GenerationConfig.greedy(1).withSampling(10f, 0, 1f, 3));
        boolean sawRare = false;
        for (int i = 0; i < 2000; i++) {
            sawRare |= hot.next(LOGITS) == 4;
        }
        assertTrue(sawRare);
    }

    @Test
    void nanLogitsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sampler(GenerationConfig.greedy(1)).next(new float[] {0f, Float.NaN}));
        assertTrue(e.getMessage().contains("1"));
    }
}
