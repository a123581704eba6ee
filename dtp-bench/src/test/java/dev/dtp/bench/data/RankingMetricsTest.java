package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankingMetricsTest {
    // positives score 0.35 and 0.8, negatives 0.1 and 0.4
    private static final double[] SCORE = {0.1, 0.4, 0.35, 0.8};
    private static final boolean[] POSITIVE = {false, false, true, true};

    @Test
    void aucRocCountsPositiveNegativePairsInOrder() {
        // pairs (0.35, 0.1) right, (0.35, 0.4) wrong, (0.8, 0.1) and (0.8, 0.4) right: 3 of 4
        assertEquals(0.75, RankingMetrics.aucRoc(SCORE, POSITIVE), 1e-12);
    }

    @Test
    void aucPrIsAveragePrecisionOverTheThresholds() {
        // from the top: 0.8 (P 1, R 1/2), 0.4 (P 1/2, R 1/2), 0.35 (P 2/3, R 1): 1/2 · 1 + 1/2 · 2/3
        assertEquals(0.5 + 1.0 / 3, RankingMetrics.aucPr(SCORE, POSITIVE), 1e-12);
    }

    @Test
    void tiedScoresCountHalfAndEnterTogether() {
        double[] same = {0.5, 0.5, 0.5, 0.5};
        assertEquals(0.5, RankingMetrics.aucRoc(same, POSITIVE), 1e-12);
        assertEquals(0.5, RankingMetrics.aucPr(same, POSITIVE), 1e-12); // the share of positives
    }

    @Test
    void aPerfectRankingScoresOneAndAOneClassSetIsUndefined() {
        assertEquals(1.0, RankingMetrics.aucRoc(new double[] {0.9, 0.2}, new boolean[] {true, false}), 1e-12);
        assertEquals(1.0, RankingMetrics.aucPr(new double[] {0.9, 0.2}, new boolean[] {true, false}), 1e-12);
        assertTrue(Double.isNaN(RankingMetrics.aucRoc(new double[] {0.9, 0.2}, new boolean[] {true, true})));
        assertTrue(Double.isNaN(RankingMetrics.aucPr(new double[] {0.9, 0.2}, new boolean[] {false, false})));
    }
}
