package dev.dtp.bench.data;

import java.util.Arrays;
import java.util.Comparator;

/**
 * How well a score ranks positives above negatives, threshold-free: POPE's and VSR's AUCROC and
 * AUCPR from the yes-probabilities of probability scoring.
 */
public final class RankingMetrics {
    private RankingMetrics() {}

    /**
     * Area under the ROC curve: the chance that a random positive scores above a random negative,
     * ties counting one half (the Mann–Whitney statistic). NaN without both classes.
     */
    public static double aucRoc(double[] score, boolean[] positive) {
        check(score, positive);
        double wins = 0;
        long pairs = 0;
        for (int p = 0; p < score.length; p++) {
            if (!positive[p]) {
                continue;
            }
            for (int n = 0; n < score.length; n++) {
                if (positive[n]) {
                    continue;
                }
                pairs++;
                wins += score[p] > score[n] ? 1 : score[p] == score[n] ? 0.5 : 0;
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }

    /**
     * Area under the precision–recall curve as average precision: Σ_k (R_k − R_{k−1}) · P_k over
     * the thresholds at each distinct score, highest first (tied scores enter together). NaN
     * without positives.
     */
    public static double aucPr(double[] score, boolean[] positive) {
        check(score, positive);
        int positives = 0;
        for (boolean b : positive) {
            positives += b ? 1 : 0;
        }
        if (positives == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[score.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
        double ap = 0;
        double previousRecall = 0;
        int tp = 0;
        int seen = 0;
        for (int k = 0; k < order.length; ) {
            double threshold = score[order[k]];
            while (k < order.length && score[order[k]] == threshold) {
                tp += positive[order[k]] ? 1 : 0;
                seen++;
                k++;
            }
            double recall = (double) tp / positives;
            ap += (recall - previousRecall) * tp / seen;
            previousRecall = recall;
        }
        return ap;
    }

    private static void check(double[] score, boolean[] positive) {
        if (score.length != positive.length) {
            throw new IllegalArgumentException(score.length + " scores for " + positive.length + " labels");
        }
        for (double s : score) {
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException("a score is NaN");
            }
        }
    }
}
