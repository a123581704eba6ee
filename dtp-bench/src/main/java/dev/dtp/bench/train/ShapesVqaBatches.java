package dev.dtp.bench.train;

import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import dev.dtp.mamba.vision.ImagePreprocessor;
import dev.dtp.mamba.vision.VisionConfig;
import java.util.Arrays;
import java.util.List;

/**
 * Turns ShapesVQA samples into {@link TrainBatch}es: the rendered image through the model's own
 * preprocessing, the question through the model's tokenizer and prompt template, then the answer
 * token and the end token as the two targets.
 */
final class ShapesVqaBatches {
    private final ShapesVqa data;
    private final VisionConfig vision;
    private final ImagePreprocessor preprocessor;
    private final MambaTokenizer tokenizer;
    private final int endId;

    ShapesVqaBatches(ShapesVqa data, VisionConfig vision, MambaTokenizer tokenizer) {
        this.data = data;
        this.vision = vision;
        this.preprocessor = new ImagePreprocessor(vision);
        this.tokenizer = tokenizer;
        this.endId = tokenizer.tokenId(VqaTokenizer.END);
    }

    int answerId(ShapesVqaSample s) {
        return tokenizer.tokenId(s.answer());
    }

    TrainBatch batch(List<ShapesVqaSample> samples) {
        int n = samples.size();
        int patches = vision.patches();
        int patchDim = vision.patchDim();
        float[] pixels = new float[n * patches * patchDim];
        int[][] prompts = new int[n][];
        int text = 0;
        for (int i = 0; i < n; i++) {
            ShapesVqaSample s = samples.get(i);
            float[] p = preprocessor.patches(data.render(s));
            System.arraycopy(p, 0, pixels, i * patches * patchDim, p.length);
            prompts[i] = tokenizer.encode(vision.prompt(s.question()));
            text = Math.max(text, prompts[i].length + 1);
        }
        int length = patches + text;
        int[] ids = new int[n * text];
        Arrays.fill(ids, endId);
        int[] rows = new int[2 * n];
        int[] targets = new int[2 * n];
        int[] answerRows = new int[n];
        for (int i = 0; i < n; i++) {
            int[] q = prompts[i];
            System.arraycopy(q, 0, ids, i * text, q.length);
            int answer = answerId(samples.get(i));
            ids[i * text + q.length] = answer;
            int last = i * length + patches + q.length - 1; // predicts the answer
            rows[2 * i] = last;
            targets[2 * i] = answer;
            rows[2 * i + 1] = last + 1; // the answer predicts the end token
            targets[2 * i + 1] = endId;
            answerRows[i] = last;
        }
        return new TrainBatch(n, patches, pixels, text, ids, rows, targets, answerRows);
    }
}
