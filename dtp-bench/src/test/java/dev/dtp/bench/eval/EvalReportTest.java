package dev.dtp.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POPE's per-split figures and the cost columns, on hand-made answers. */
class EvalReportTest {
    private final List<EvalSample> samples = new ArrayList<>();
    private final List<SampleResult> results = new ArrayList<>();

    private void answer(String subset, String truth, double pYes, double prefillMs) {
        String id = "q" + samples.size();
        samples.add(new EvalSample(id, Path.of("i.png"), "is there a cat?", List.of(truth), "pope", subset, null));
        results.add(new SampleResult("none", id, "pope", subset, pYes >= 0.5 ? "yes" : "no", 1, 1, prefillMs, true,
                "probability", Map.of("yes", pYes, "no", 1 - pYes), new int[] {3, 3}));
    }

    @Test
    void popeGetsEveryFigurePerSplitWithAucFromTheYesProbabilities() {
        // random: truths yes, yes, no, no; p(yes) 0.8, 0.35, 0.4, 0.1: answers yes, no, no, no
        answer("random", "yes", 0.8, 1);
        answer("random", "yes", 0.35, 2);
        answer("random", "no", 0.4, 3);
        answer("random", "no", 0.1, 4);
        // adversarial: truths yes, no; p(yes) 0.6, 0.7: answers yes, yes
        answer("adversarial", "yes", 0.6, 10);
        answer("adversarial", "no", 0.7, 20);
        EvalReport report = EvalReport.of(samples, List.of("none"), results, Map.of(),
                Map.of("none", new PolicyCost(2_500_000_000L, 300L << 20)));
        JsonObject pope = report.rows().get(0).details().get("pope");
        JsonObject random = pope.getAsJsonObject("subsets").getAsJsonObject("random");
        assertEquals(0.75, random.get("accuracy").getAsDouble(), 1e-12);     // 3 of 4
        assertEquals(1.0, random.get("precision").getAsDouble(), 1e-12);    // 1 yes answer, right
        assertEquals(0.5, random.get("recall").getAsDouble(), 1e-12);       // 1 of 2 yes truths
        assertEquals(2.0 / 3, random.get("f1").getAsDouble(), 1e-12);
        assertEquals(0.25, random.get("yes_ratio").getAsDouble(), 1e-12);
        assertEquals(0.75, random.get("aucroc").getAsDouble(), 1e-12);      // RankingMetricsTest's example
        assertEquals(0.5 + 1.0 / 3, random.get("aucpr").getAsDouble(), 1e-12);
        JsonObject adversarial = pope.getAsJsonObject("subsets").getAsJsonObject("adversarial");
        assertEquals(0.5, adversarial.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(1.0, adversarial.get("yes_ratio").getAsDouble(), 1e-12);
        assertEquals(0.0, adversarial.get("aucroc").getAsDouble(), 1e-12);   // the negative ranks above
        assertEquals(6, pope.get("count").getAsInt());
        assertEquals(4.0 / 6, pope.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(3.5, report.rows().get(0).prefillMsMedian(), 1e-12);   // of 1, 2, 3, 4, 10, 20
        String md = report.toMarkdown();
        assertTrue(md.contains("| prefill ms median | wall s | peak RSS MiB |"), md);
        assertTrue(md.contains("| 6.7 | 3.5 | 2.5 | 300 |"), md);
    }

    @Test
    void popeSummaryCarriesVlmEvaluationsKeys() {
        answer("random", "yes", 0.8, 1);
        answer("random", "no", 0.4, 2);
        answer("popular", "yes", 0.3, 3);
        answer("popular", "no", 0.2, 4);
        JsonObject details = EvalReport.of(samples, List.of("none"), results).rows().get(0).details().get("pope");
        JsonObject s = VlmEvaluationFiles.summary("pope", details);
        assertEquals(1.0, s.get("POPE-random-Accuracy").getAsDouble(), 1e-12);
        assertEquals(0.5, s.get("POPE-popular-Accuracy").getAsDouble(), 1e-12);   // 0.3 → "no", wrong
        assertEquals(0.75, s.get("POPE-final-Accuracy").getAsDouble(), 1e-12);    // the mean of the splits
        assertEquals(1.0, s.get("POPE-popular-AUCROC").getAsDouble(), 1e-12);     // 0.3 above 0.2
        // pooled: positives 0.8, 0.3; negatives 0.4, 0.2: 3 of 4 pairs in order
        assertEquals(0.75, s.get("accuracy__POPE-final-AUCROC").getAsDouble(), 1e-12);
    }

    @Test
    void generatedAnswersGetNoAuc() {
        samples.add(new EvalSample("g", Path.of("i.png"), "q?", List.of("yes"), "pope", "random", null));
        results.add(new SampleResult("none", "g", "pope", "random", "yes", 1, 1, 1, true, "generate", Map.of(),
                new int[0]));
        JsonObject pope = EvalReport.of(samples, List.of("none"), results).rows().get(0).details().get("pope");
        assertEquals(1.0, pope.get("accuracy").getAsDouble(), 1e-12);
        assertFalse(pope.has("aucroc"));
    }
}
