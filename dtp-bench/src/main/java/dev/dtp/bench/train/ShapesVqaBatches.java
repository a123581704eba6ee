package dev.dtp.bench.train;

import dev.dtp.bench.data.SceneQuestions;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import dev.dtp.mamba.vision.ImagePreprocessor;
import dev.dtp.mamba.vision.VisionConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

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
    private final SceneQuestions questions;

    ShapesVqaBatches(ShapesVqa data, VisionConfig vision, MambaTokenizer tokenizer) {
        this(data, vision, tokenizer, new SceneQuestions(data));
    }

    /** @param questions where the follow-up questions come from */
    ShapesVqaBatches(ShapesVqa data, VisionConfig vision, MambaTokenizer tokenizer, SceneQuestions questions) {
        this.data = data;
        this.vision = vision;
        this.preprocessor = new ImagePreprocessor(vision);
        this.tokenizer = tokenizer;
        this.endId = tokenizer.tokenId(VqaTokenizer.END);
        this.questions = questions;
    }

    int answerId(ShapesVqaSample s) {
        return tokenizer.tokenId(s.answer());
    }

    TrainBatch batch(List<ShapesVqaSample> samples) {
        return batch(samples, 0, null);
    }

    /**
     * A batch where each image is followed by its own question and {@code followUps} more questions about
     * the same scene ({@link SceneQuestions}), as turns "question answer END": every answer and every END
     * after it is scored. With no follow-ups this is the inference layout, image then one question.
     */
    TrainBatch batch(List<ShapesVqaSample> samples, int followUps, SplittableRandom rng) {
        int n = samples.size();
        int patches = vision.patches();
        int patchDim = vision.patchDim();
        float[] pixels = new float[n * patches * patchDim];
        int[][] prompts = new int[n][];
        int[][] scoredAt = new int[n][];
        int text = 0;
        for (int i = 0; i < n; i++) {
            ShapesVqaSample s = samples.get(i);
            float[] p = preprocessor.patches(data.render(s));
            System.arraycopy(p, 0, pixels, i * patches * patchDim, p.length);
            List<SceneQuestions.QuestionAnswer> turns = new ArrayList<>();
            turns.add(new SceneQuestions.QuestionAnswer(s.family(), s.question(), s.answer()));
            if (followUps > 0) {
                turns.addAll(questions.sample(s.scene(), followUps, rng));
            }
            List<Integer> seq = new ArrayList<>();
            List<Integer> scored = new ArrayList<>(); // positions (within the text) that predict the next id
            for (SceneQuestions.QuestionAnswer t : turns) {
                for (int id : tokenizer.encode(vision.prompt(t.question()))) {
                    seq.add(id);
                }
                scored.add(seq.size() - 1);
                seq.add(tokenizer.tokenId(t.answer()));
                scored.add(seq.size() - 1);
                seq.add(endId);
            }
            // the last END is never an input that matters: drop it, it is only a target
            seq.remove(seq.size() - 1);
            prompts[i] = seq.stream().mapToInt(Integer::intValue).toArray();
            scoredAt[i] = scored.stream().mapToInt(Integer::intValue).toArray();
            text = Math.max(text, prompts[i].length);
        }
        int length = patches + text;
        int[] ids = new int[n * text];
        Arrays.fill(ids, endId);
        int scoredTotal = Arrays.stream(scoredAt).mapToInt(a -> a.length).sum();
        int[] rows = new int[scoredTotal];
        int[] targets = new int[scoredTotal];
        int[] answerRows = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int[] q = prompts[i];
            System.arraycopy(q, 0, ids, i * text, q.length);
            for (int pos : scoredAt[i]) {
                rows[k] = i * length + patches + pos;
                targets[k] = pos + 1 < q.length ? q[pos + 1] : endId;
                k++;
            }
            answerRows[i] = i * length + patches + scoredAt[i][0]; // predicts the first answer
        }
        return new TrainBatch(n, patches, pixels, text, ids, rows, targets, answerRows);
    }
}
