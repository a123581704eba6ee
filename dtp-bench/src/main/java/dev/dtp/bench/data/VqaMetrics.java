package dev.dtp.bench.data;

import java.util.List;

/** Per-sample scores of open-ended answers; both compare {@link AnswerNormalizer normalised} strings. */
public final class VqaMetrics {
    private VqaMetrics() {
    }

    /** 1 if the prediction equals any reference answer, else 0 (plain exact match for one reference). */
    public static double exactMatch(String prediction, List<String> answers) {
        String p = AnswerNormalizer.normalize(prediction);
        return answers.stream().anyMatch(a -> AnswerNormalizer.normalize(a).equals(p)) ? 1 : 0;
    }

    /**
     * VQA accuracy: min(#matching annotators / 3, 1), averaged over the n leave-one-annotator-out subsets
     * of the n answers (n = 10 in VQAv2, so 10 subsets of 9). A single reference is scored by exact match.
     */
    public static double vqaAccuracy(String prediction, List<String> answers) {
        if (answers.size() == 1) {
            return exactMatch(prediction, answers);
        }
        String p = AnswerNormalizer.normalize(prediction);
        boolean[] matches = new boolean[answers.size()];
        int total = 0;
        for (int i = 0; i < matches.length; i++) {
            matches[i] = AnswerNormalizer.normalize(answers.get(i)).equals(p);
            total += matches[i] ? 1 : 0;
        }
        double sum = 0;
        for (boolean leftOut : matches) {
            int others = total - (leftOut ? 1 : 0);
            sum += Math.min(others / 3.0, 1.0);
        }
        return sum / matches.length;
    }
}
