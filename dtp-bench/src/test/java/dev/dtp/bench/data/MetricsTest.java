package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void normalizationFollowsTheVqaRules() {
        assertEquals("2", AnswerNormalizer.normalize("Two"));
        assertEquals("yes", AnswerNormalizer.normalize("Yes."));
        assertEquals("red", AnswerNormalizer.normalize("the red"));
        assertEquals("dog", AnswerNormalizer.normalize("A dog!"));
        assertEquals("don't know", AnswerNormalizer.normalize("dont know"));
        assertEquals("isn't", AnswerNormalizer.normalize("Isn't"));
        assertEquals("1000", AnswerNormalizer.normalize("1,000"));
        assertEquals("3.5", AnswerNormalizer.normalize("3.5"));
        assertEquals("x ray", AnswerNormalizer.normalize("x-ray"));
        assertEquals("red blue", AnswerNormalizer.normalize("red,blue"));
        assertEquals("0", AnswerNormalizer.normalize("none"));
        assertEquals("yes", AnswerNormalizer.normalize("  'yes'\t"));
        assertEquals("10 apples", AnswerNormalizer.normalize("Ten apples"));
        assertEquals("", AnswerNormalizer.normalize("the"));
    }

    @Test
    void exactMatchComparesNormalizedAnswers() {
        assertEquals(1.0, VqaMetrics.exactMatch("Two", List.of("2")));
        assertEquals(1.0, VqaMetrics.exactMatch("a cat", List.of("dog", "cat")));
        assertEquals(0.0, VqaMetrics.exactMatch("cats", List.of("cat")));
    }

    @Test
    void vqaAccuracyAveragesOverLeaveOneOutSubsets() {
        // 2 of 10 say yes: 2 subsets keep 1 match (1/3), 8 keep 2 (2/3): (2/3 + 16/3) / 10 = 0.6
        assertEquals(0.6, VqaMetrics.vqaAccuracy("yes", annotators(2)), 1e-12);
        // 3 of 10: 3 subsets keep 2 matches (2/3), 7 keep 3 (1): (2 + 7) / 10 = 0.9
        assertEquals(0.9, VqaMetrics.vqaAccuracy("yes", annotators(3)), 1e-12);
        assertEquals(1.0, VqaMetrics.vqaAccuracy("Yes!", annotators(4)), 1e-12);
        // 1 of 10: 1 subset keeps 0, 9 keep 1 (1/3): 3 / 10 = 0.3
        assertEquals(0.3, VqaMetrics.vqaAccuracy("yes", annotators(1)), 1e-12);
        assertEquals(0.0, VqaMetrics.vqaAccuracy("maybe", annotators(4)), 1e-12);
        assertEquals(1.0, VqaMetrics.vqaAccuracy("the red", List.of("red")));
    }

    @Test
    void yesNoMetricsMatchHandCountedConfusion() {
        // truth:     y y y y n n n n n n
        // predicted: y y y n y n n n n n  -> tp 3, fn 1, fp 1, tn 5
        boolean[] truth = {true, true, true, true, false, false, false, false, false, false};
        boolean[] predicted = {true, true, true, false, true, false, false, false, false, false};
        YesNoMetrics m = YesNoMetrics.EMPTY;
        for (int i = 0; i < truth.length; i++) {
            m = m.plus(predicted[i], truth[i]);
        }
        assertEquals(new YesNoMetrics(3, 1, 5, 1), m);
        assertEquals(0.8, m.accuracy(), 1e-12);
        assertEquals(0.75, m.precision(), 1e-12);
        assertEquals(0.75, m.recall(), 1e-12);
        assertEquals(0.75, m.f1(), 1e-12);
        assertEquals(0.4, m.yesRatio(), 1e-12);
        assertEquals(0.0, YesNoMetrics.EMPTY.f1());
    }

    @Test
    void freeFormAnswersAreReadAsYesOrNo() {
        assertTrue(YesNoMetrics.isYes("Yes, there is."));
        assertFalse(YesNoMetrics.isYes("No."));
        assertFalse(YesNoMetrics.isYes("There is not a dog"));
        assertTrue(YesNoMetrics.isYes("There is a dog"));
        assertEquals(new YesNoMetrics(0, 0, 0, 1), YesNoMetrics.EMPTY.plus("nope, no", "yes"));
    }

    @Test
    void vsrsTrueAndFalseReadAsYesAndNo() {
        assertTrue(YesNoMetrics.isYes("True"));
        assertFalse(YesNoMetrics.isYes("False"));
        assertFalse(YesNoMetrics.isYes("false."));
        // True/False answers against True/False truths: tp 1 (True, True), fp 1 (True, False), tn 1, fn 1
        YesNoMetrics m = YesNoMetrics.EMPTY.plus("True", "True").plus("True", "False").plus("False", "False")
                .plus("False", "True");
        assertEquals(new YesNoMetrics(1, 1, 1, 1), m);
    }

    private static List<String> annotators(int yes) {
        List<String> answers = new ArrayList<>(Collections.nCopies(yes, "yes"));
        answers.addAll(Collections.nCopies(10 - yes, "no"));
        return answers;
    }
}
