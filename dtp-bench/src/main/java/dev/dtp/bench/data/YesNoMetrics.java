package dev.dtp.bench.data;

/**
 * POPE-style yes/no scores, "yes" being the positive class. Immutable: {@link #plus} returns new counts.
 *
 * @param tp answered yes, truth yes
 * @param fp answered yes, truth no
 * @param tn answered no, truth no
 * @param fn answered no, truth yes
 */
public record YesNoMetrics(int tp, int fp, int tn, int fn) {
    public static final YesNoMetrics EMPTY = new YesNoMetrics(0, 0, 0, 0);

    /**
     * Reads a free-form answer as yes or no as POPE does: an answer starting with "yes" or "no" is that;
     * otherwise one containing the word "no" or "not" is no, and anything else is yes. VSR's "True" and
     * "False" (an answer starting with "true" or "false") read as yes and no.
     */
    public static boolean isYes(String answer) {
        String[] words = AnswerNormalizer.normalize(answer).split(" ");
        if (words[0].equals("yes") || words[0].equals("true")) {
            return true;
        }
        if (words[0].equals("false")) {
            return false;
        }
        for (String w : words) {
            if (w.equals("no") || w.equals("not")) {
                return false;
            }
        }
        return true;
    }

    public YesNoMetrics plus(boolean predictedYes, boolean truthYes) {
        return new YesNoMetrics(
                tp + (predictedYes && truthYes ? 1 : 0), fp + (predictedYes && !truthYes ? 1 : 0),
                tn + (!predictedYes && !truthYes ? 1 : 0), fn + (!predictedYes && truthYes ? 1 : 0));
    }

    /** Scores a free-form prediction against a "yes"/"no" reference, both read with {@link #isYes}. */
    public YesNoMetrics plus(String prediction, String truth) {
        return plus(isYes(prediction), isYes(truth));
    }

    public int total() {
        return tp + fp + tn + fn;
    }

    public double accuracy() {
        return ratio(tp + tn, total());
    }

    /** 0 when nothing was answered yes. */
    public double precision() {
        return ratio(tp, tp + fp);
    }

    public double recall() {
        return ratio(tp, tp + fn);
    }

    public double f1() {
        double p = precision();
        double r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Share of answers that were yes; near 0.5 on POPE's balanced subsets unless the model is biased. */
    public double yesRatio() {
        return ratio(tp + fp, total());
    }

    private static double ratio(int num, int den) {
        return den == 0 ? 0 : (double) num / den;
    }
}
