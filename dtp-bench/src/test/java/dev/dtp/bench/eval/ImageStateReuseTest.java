package dev.dtp.bench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.train.VlmCheckpoint;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.SequenceState;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.vision.ImageStateCache;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code VisionLanguageModel.prefix/answer} and the image-state cache on a seeded multimodal model. */
class ImageStateReuseTest {
    @TempDir
    static Path dir;

    static VisionLanguageModel vlm;
    static List<ShapesVqaSample> samples;
    static ShapesVqa data;

    @BeforeAll
    static void load() throws Exception {
        VlmCheckpoint.writeRandom(dir.resolve("model"), 8, 32, 3);
        vlm = VisionLanguageModel.load(dir.resolve("model"));
        data = ShapesVqa.builder().seed(2).build();
        samples = data.samples(Split.TEST, 3).toList();
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    @Test
    void answersFromAnImageStateEqualFullPrefills() {
        PruningPolicy dtp = PolicySpec.parse("dtp:early=2,late=6,r=0.5");
        BufferedImage image = data.render(samples.get(0));
        try (SequenceState state = vlm.prefix(image, dtp); NDManager m = NDManager.newBaseManager()) {
            assertEquals(256, state.length());
            for (ShapesVqaSample s : samples) {
                Generation cached = vlm.answer(state, s.question(), dtp, 4);
                Generation full = vlm.model().generate(vlm.input(image, s.question(), m), vlm.generationConfig(4), dtp,
                        id -> {});
                assertArrayEquals(full.tokens(), cached.tokens(), s.question());
                assertArrayEquals(full.trace().keptCounts(), cached.trace().keptCounts());
            }
        }
    }

    @Test
    void theCacheHitsEvictsByBytesAndKeepsLeasedStatesOpen() {
        PruningPolicy dtp = PolicySpec.parse("dtp:early=2,late=6,r=0.5");
        BufferedImage a = data.render(samples.get(0));
        BufferedImage b = data.render(samples.get(1));
        try (SequenceState probe = vlm.prefix(a, dtp)) {
            long oneState = probe.bytes();
            assertTrue(oneState > 0);
            // room for one state only: a second image evicts the first
            try (ImageStateCache cache = new ImageStateCache(oneState + oneState / 2)) {
                ImageStateCache.Lease first = cache.prefix(vlm, a, dtp);
                assertFalse(first.hit());
                try (ImageStateCache.Lease again = cache.prefix(vlm, a, dtp)) {
                    assertTrue(again.hit());
                    assertEquals(first.state(), again.state());
                }
                try (ImageStateCache.Lease other = cache.prefix(vlm, b, dtp)) {
                    assertFalse(other.hit());
                }
                assertEquals(1, cache.stats().evictions());
                // evicted but still leased: usable until the lease is closed
                Generation g = vlm.answer(first.state(), samples.get(0).question(), dtp, 2);
                assertTrue(g.tokens().length > 0);
                SequenceState evicted = first.state();
                first.close();
                assertThrows(IllegalStateException.class, () -> vlm.answer(evicted, "x", dtp, 2));
                // another policy is another entry
                try (ImageStateCache.Lease none = cache.prefix(vlm, b, PruningPolicy.none())) {
                    assertFalse(none.hit());
                }
                assertEquals(ImageStateCache.key(a), ImageStateCache.key(data.render(samples.get(0))));
                assertTrue(!ImageStateCache.key(a).equals(ImageStateCache.key(b)));
            }
        }
    }
}
