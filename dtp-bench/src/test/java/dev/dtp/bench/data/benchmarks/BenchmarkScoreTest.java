package dev.dtp.bench.data.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.CliRun;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import dev.dtp.bench.data.YesNoMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BenchmarkScore on the six hand-written samples, converted through the CLI and read back from the JSONL as a
 * model run would, with predictions and expected values worked out by hand in the comments.
 */
class BenchmarkScoreTest {
    private static final double EPS = 1e-12;

    @TempDir
    static Path dir;

    static List<EvalSample> samples = new ArrayList<>();

    @BeforeAll
    static void convertAll() throws IOException {
        String[][] commands = {
            {"gqa", "--questions", "gqa/testdev_balanced_questions.json", "--images", "gqa/images"},
            {"vqav2", "--questions", "vqav2/v2_OpenEnded_mscoco_val2014_questions.json",
                "--annotations", "vqav2/v2_mscoco_val2014_annotations.json", "--images", "vqav2/val2014"},
            {"textvqa", "--questions", "textvqa/TextVQA_0.5.1_val.json", "--images", "textvqa/train_images"},
            {"pope", "--questions", "pope/coco_pope_random.json", "pope/coco_pope_popular.json",
                "pope/coco_pope_adversarial.json", "--images", "pope/val2014"},
            {"vsr", "--questions", "vsr/test.jsonl", "--images", "vsr/images"},
            {"vizwiz", "--questions", "vizwiz/val.json", "--images", "vizwiz/val"},
        };
        for (String[] c : commands) {
            Fixtures.copy(c[0], dir);
            List<String> args = new ArrayList<>(List.of("data"));
            for (String a : c) {
                args.add(a.contains("/") ? dir.resolve(a).toString() : a);
            }
            Path out = dir.resolve("out/" + c[0] + ".jsonl");
            args.addAll(List.of("--out", out.toString()));
            CliRun r = BenchmarkCommandsTest.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            samples.addAll(JsonlDataset.read(out));
        }
        assertEquals(3 + 3 + 2 + 6 + 3 + 3, samples.size());
    }

    static final Map<String, String> PREDICTIONS = Map.ofEntries(
            // GQA, one reference each, so exact match after normalisation
            Map.entry("gqa-20968379", "Yes"), //                       "yes"           -> 1
            Map.entry("gqa-20968380", "the table"), //                 articles dropped -> 1
            Map.entry("gqa-05515938", "chair"), //                     "sofa"          -> 0
            // VQAv2: min(#matching others / 3, 1) averaged over the 10 leave-one-out sets of 9
            // 2 of 10 said parasol: 2 sets keep 1 match (1/3), 8 keep 2 (2/3): (2/3 + 16/3) / 10 = 0.6
            Map.entry("vqav2-262148000", "parasol"),
            // 1 of 10 said no: 1 set keeps 0 matches, 9 keep 1 (1/3): (9/3) / 10 = 0.3
            Map.entry("vqav2-262148001", "No."),
            // "two" is normalised to "2"; 9 of 10 answers are "2"/"two": every set of 9 keeps >= 8 -> 1.0
            Map.entry("vqav2-393225000", "two"),
            // TextVQA: "Coca-Cola" normalises to "coca cola", as do 6 "coca cola" and 1 "coca-cola": 7 >= 4 -> 1.0
            Map.entry("textvqa-34602", "Coca-Cola"),
            // 1 of 10 said 28 -> 0.3
            Map.entry("textvqa-34603", "28"),
            // POPE: predicted / truth
            Map.entry("pope-random-1", "Yes, there is a snowboard."), //   yes / yes  tp
            Map.entry("pope-random-2", "No"), //                           no  / no   tn
            Map.entry("pope-popular-1", "no"), //                          no  / yes  fn
            Map.entry("pope-popular-2", "No, there is not."), //           no  / no   tn
            Map.entry("pope-adversarial-1", "yes"), //                     yes / yes  tp
            Map.entry("pope-adversarial-2", "There is a fork on the plate."), // neither no nor not: yes / no  fp
            // VSR
            Map.entry("vsr-test-1", "Yes"), //                             yes / yes  tp   (left of)
            Map.entry("vsr-test-2", "yes"), //                             yes / no   fp   (on top of)
            Map.entry("vsr-test-3", "No, it is right of the bench."), //   no  / yes  fn   (left of)
            // VizWiz
            Map.entry("vizwiz-VizWiz_val_00000000", "unanswerable"), // 9 of 10 -> 1.0
            // 3 of 10 said mint: 3 sets keep 2 (2/3), 7 keep 3 (1): (2 + 7) / 10 = 0.9
            Map.entry("vizwiz-VizWiz_val_00000001", "mint"),
            Map.entry("vizwiz-VizWiz_val_00000002", "yes")); //        0 of 10 -> 0

    @Test
    void openEndedFamiliesAverageVqaAccuracy() {
        BenchmarkScore s = BenchmarkScore.of(samples, PREDICTIONS);
        assertEquals(List.of("gqa", "pope", "textvqa", "vizwiz", "vqav2", "vsr"), List.copyOf(s.families()));

        assertEquals(3, s.family("gqa").count());
        assertFalse(s.family("gqa").isYesNo());
        assertEquals(2.0 / 3, s.family("gqa").vqaAccuracy(), EPS); // (1 + 1 + 0) / 3
        assertEquals(Set.of("choose", "query", "verify"), s.subsets("gqa"));
        assertEquals(1.0, s.subset("gqa", "verify").vqaAccuracy(), EPS);
        assertEquals(0.0, s.subset("gqa", "choose").vqaAccuracy(), EPS);

        assertEquals((0.6 + 0.3 + 1.0) / 3, s.family("vqav2").vqaAccuracy(), EPS); // 0.6333…
        assertEquals(0.6, s.subset("vqav2", "other").vqaAccuracy(), EPS);
        assertEquals(0.3, s.subset("vqav2", "yes/no").vqaAccuracy(), EPS);
        assertEquals(1.0, s.subset("vqav2", "number").vqaAccuracy(), EPS);

        assertEquals((1.0 + 0.3) / 2, s.family("textvqa").vqaAccuracy(), EPS); // 0.65
        assertTrue(s.subsets("textvqa").isEmpty());

        assertEquals((1.0 + 0.9 + 0.0) / 3, s.family("vizwiz").vqaAccuracy(), EPS); // 0.6333…
        assertEquals(0.9, s.subset("vizwiz", "other").vqaAccuracy(), EPS);
        assertEquals(1.0, s.subset("vizwiz", "unanswerable").vqaAccuracy(), EPS);
    }

    @Test
    void popeAndVsrGetAccuracyF1AndYesRatio() {
        BenchmarkScore s = BenchmarkScore.of(samples, PREDICTIONS);
        // POPE overall: tp 2, fp 1, tn 2, fn 1
        BenchmarkScore.Score pope = s.family("pope");
        assertTrue(pope.isYesNo());
        assertTrue(Double.isNaN(pope.vqaAccuracy()));
        assertEquals(new YesNoMetrics(2, 1, 2, 1), pope.yesNo());
        assertEquals(4.0 / 6, pope.yesNo().accuracy(), EPS);
        assertEquals(2.0 / 3, pope.yesNo().precision(), EPS);
        assertEquals(2.0 / 3, pope.yesNo().recall(), EPS);
        assertEquals(2.0 / 3, pope.yesNo().f1(), EPS);
        assertEquals(0.5, pope.yesNo().yesRatio(), EPS); // 3 yes of 6
        // random: tp 1, tn 1 -> all 1, yes-ratio 1/2
        YesNoMetrics random = s.subset("pope", "random").yesNo();
        assertEquals(new YesNoMetrics(1, 0, 1, 0), random);
        assertEquals(1.0, random.f1(), EPS);
        assertEquals(0.5, random.yesRatio(), EPS);
        // popular: tn 1, fn 1 -> accuracy 1/2, nothing answered yes: precision 0, F1 0, yes-ratio 0
        YesNoMetrics popular = s.subset("pope", "popular").yesNo();
        assertEquals(new YesNoMetrics(0, 0, 1, 1), popular);
        assertEquals(0.5, popular.accuracy(), EPS);
        assertEquals(0.0, popular.f1(), EPS);
        assertEquals(0.0, popular.yesRatio(), EPS);
        // adversarial: tp 1, fp 1 -> accuracy 1/2, precision 1/2, recall 1, F1 = 2 * 0.5 * 1 / 1.5 = 2/3, yes-ratio 1
        YesNoMetrics adversarial = s.subset("pope", "adversarial").yesNo();
        assertEquals(new YesNoMetrics(1, 1, 0, 0), adversarial);
        assertEquals(0.5, adversarial.accuracy(), EPS);
        assertEquals(2.0 / 3, adversarial.f1(), EPS);
        assertEquals(1.0, adversarial.yesRatio(), EPS);

        // VSR: tp 1, fp 1, fn 1 -> accuracy 1/3, precision 1/2, recall 1/2, F1 1/2, yes-ratio 2/3
        YesNoMetrics vsr = s.family("vsr").yesNo();
        assertEquals(new YesNoMetrics(1, 1, 0, 1), vsr);
        assertEquals(1.0 / 3, vsr.accuracy(), EPS);
        assertEquals(0.5, vsr.f1(), EPS);
        assertEquals(2.0 / 3, vsr.yesRatio(), EPS);
        // left of: tp 1, fn 1 -> accuracy 1/2, precision 1, recall 1/2, F1 = 2 * 1 * 0.5 / 1.5 = 2/3
        YesNoMetrics leftOf = s.subset("vsr", "left of").yesNo();
        assertEquals(0.5, leftOf.accuracy(), EPS);
        assertEquals(2.0 / 3, leftOf.f1(), EPS);
        assertEquals(0.0, s.subset("vsr", "on top of").yesNo().accuracy(), EPS); // fp 1
    }

    @Test
    void jsonReportHasEveryFamilyAndSubset() {
        JsonObject o = JsonParser.parseString(BenchmarkScore.of(samples, PREDICTIONS).toJson()).getAsJsonObject();
        assertEquals(Set.of("gqa", "pope", "textvqa", "vizwiz", "vqav2", "vsr"), o.keySet());
        assertEquals(0.65, o.getAsJsonObject("textvqa").get("vqa_accuracy").getAsDouble(), EPS);
        assertFalse(o.getAsJsonObject("textvqa").has("subsets"));
        JsonObject pope = o.getAsJsonObject("pope");
        assertEquals(6, pope.get("count").getAsInt());
        assertEquals(2.0 / 3, pope.get("f1").getAsDouble(), EPS);
        assertEquals(0.5, pope.get("yes_ratio").getAsDouble(), EPS);
        assertEquals(1, pope.get("fp").getAsInt());
        assertEquals(1.0, pope.getAsJsonObject("subsets").getAsJsonObject("adversarial").get("yes_ratio").getAsDouble(), EPS);
        assertEquals(0.3, o.getAsJsonObject("vqav2").getAsJsonObject("subsets").getAsJsonObject("yes/no")
                .get("vqa_accuracy").getAsDouble(), EPS);
    }

    @Test
    void predictionsMustMatchTheSamples() {
        Map<String, String> missing = new HashMap<>(PREDICTIONS);
        missing.remove("vsr-test-2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchmarkScore.of(samples, missing));
        assertEquals("no prediction for sample 'vsr-test-2'", e.getMessage());
        Map<String, String> extra = new HashMap<>(PREDICTIONS);
        extra.put("vsr-test-9", "yes");
        e = assertThrows(IllegalArgumentException.class, () -> BenchmarkScore.of(samples, extra));
        assertEquals("prediction for unknown sample 'vsr-test-9'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BenchmarkScore().family("gqa"));
    }

    @Test
    void otherFamiliesCanBeScoredAsYesNo() {
        EvalSample a = new EvalSample("a", Path.of("a.png"), "is there a red cross?", List.of("yes"), "existence", "random", null);
        EvalSample b = new EvalSample("b", Path.of("b.png"), "is there a red cross?", List.of("no"), "existence", "random", null);
        BenchmarkScore s = new BenchmarkScore(Set.of("existence")).add(a, "yes").add(b, "yes");
        assertEquals(new YesNoMetrics(1, 1, 0, 0), s.family("existence").yesNo());
        // by default an unknown family is open-ended
        BenchmarkScore d = new BenchmarkScore().add(a, "yes").add(b, "yes");
        assertEquals(0.5, d.family("existence").vqaAccuracy(), EPS);
    }
}
