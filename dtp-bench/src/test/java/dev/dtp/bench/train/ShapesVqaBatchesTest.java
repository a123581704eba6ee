package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout of training sequences: image, then turns "question answer END", each answer and END scored. */
class ShapesVqaBatchesTest {
    @TempDir
    Path dir;

    @Test
    void followUpTurnsScoreEveryAnswerAndEnd() throws Exception {
        VqaTokenizer.write(dir.resolve("tokenizer.json"));
        ShapesVqa data = ShapesVqa.builder().seed(4).build();
        List<ShapesVqaSample> samples = data.samples(Split.TRAIN, 5).toList();
        try (MambaTokenizer tokenizer = MambaTokenizer.load(dir.resolve("tokenizer.json"))) {
            ShapesVqaBatches batches = new ShapesVqaBatches(data, VlmCheckpoint.shapesVqaVision(16), tokenizer);
            int end = tokenizer.tokenId(VqaTokenizer.END);
            int followUps = 3;
            TrainBatch b = batches.batch(samples, followUps, new SplittableRandom(2));
            assertEquals(samples.size() * 2 * (1 + followUps), b.targets().length);
            int length = b.sequenceLength();
            for (int i = 0; i < samples.size(); i++) {
                ShapesVqaSample s = samples.get(i);
                int[] question = tokenizer.encode(s.question());
                // the first turn is exactly the inference prompt, then the answer
                for (int t = 0; t < question.length; t++) {
                    assertEquals(question[t], b.ids()[i * b.textLength() + t]);
                }
                assertEquals(i * length + b.patches() + question.length - 1, b.answerRows()[i]);
                int answers = 0;
                for (int k = 0; k < b.targets().length; k++) {
                    int row = b.targetRows()[k];
                    if (row / length != i) {
                        continue;
                    }
                    int pos = row % length - b.patches();
                    int next = pos + 1 < b.textLength() ? b.ids()[i * b.textLength() + pos + 1] : end;
                    // a scored position's target is the next input token (or END after the last answer)
                    if (b.targets()[k] != end) {
                        assertEquals(next, b.targets()[k], "sample " + i + " position " + pos);
                        answers++;
                    } else {
                        assertEquals(end, next, "sample " + i + " position " + pos);
                    }
                }
                assertEquals(1 + followUps, answers);
                assertEquals(tokenizer.tokenId(s.answer()), b.targets()[2 * i * (1 + followUps)]);
            }
            TrainBatch single = batches.batch(samples);
            assertEquals(2 * samples.size(), single.targets().length);
        }
    }
}
