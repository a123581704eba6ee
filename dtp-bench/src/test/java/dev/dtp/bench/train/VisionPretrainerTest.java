package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.Scene;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.mamba.MambaConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The vision stage fits its dense labels: loss and position error fall on a fixed batch of scenes. */
class VisionPretrainerTest {
    @Test
    void learnsPatchLabelsAndPositions() {
        int vocab = VqaTokenizer.vocabulary().size();
        MambaConfig config = MambaConfig.of(32, 1, vocab).withState(8, 4, 2).withDtRank(2).withVocabPaddedTo(8);
        List<Scene> scenes = ShapesVqa.builder().seed(4).build().samples(Split.TRAIN, 8).map(ShapesVqaSample::scene).toList();
        assertTrue(scenes.stream().anyMatch(s -> s.text() != null), "some scene shows text");
        try (NDManager m = NDManager.newBaseManager();
             VisionPretrainer pre = new VisionPretrainer(new VlmParameters(config, VlmCheckpoint.shapesVqaVision(16), 5, m), m, 5)) {
            VisionPretrainer.Step first = null;
            VisionPretrainer.Step last = null;
            for (int step = 0; step < 150; step++) {
                try (NDManager scratch = m.newSubManager()) {
                    last = pre.step(scenes, 3e-3, scratch);
                }
                first = first == null ? last : first;
            }
            assertTrue(!Double.isNaN(first.glyphAccuracy()), "text patches are scored");
            assertTrue(last.loss() < 0.5 * first.loss(), first + " -> " + last);
            assertTrue(last.positionError() < 0.5 * first.positionError(), first + " -> " + last);
            assertTrue(last.shapeAccuracy() > first.shapeAccuracy(), first + " -> " + last);
        }
    }
}
