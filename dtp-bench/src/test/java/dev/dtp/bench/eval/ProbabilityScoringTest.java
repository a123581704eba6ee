package dev.dtp.bench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.CliRun;
import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import dev.dtp.bench.data.JsonlDataset.Numbered;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.train.VlmCheckpoint;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dtp eval --scoring}: candidate probabilities at the first answer step, and which questions get them. */
class ProbabilityScoringTest {
    @TempDir
    static Path dir;

    static Path model;
    static Path yesNo;
    static Path all;

    @BeforeAll
    static void create() throws Exception {
        model = dir.resolve("model");
        VlmCheckpoint.writeRandom(model, 8, 32, 3);
        ShapesVqa.builder().seed(4).build().write(Split.TEST, 12, dir.resolve("data"), i -> {});
        all = dir.resolve("data").resolve(ShapesVqa.jsonlName(Split.TEST));
        List<EvalSample> samples = JsonlDataset.read(all).stream()
                .filter(s -> s.answers().get(0).equals("yes") || s.answers().get(0).equals("no")).toList();
        assertTrue(samples.size() >= 3, "the test split should have yes/no questions");
        yesNo = dir.resolve("data").resolve("yes-no.jsonl");
        JsonlDataset.write(yesNo, samples);
    }

    @Test
    void renormalisesTheSoftmaxOverTheCandidatesFirstTokens() {
        // candidates' logits 0 and ln 3: e^0 : e^ln3 = 1 : 3, whatever the other tokens' logits
        double[] p = CandidateProbabilities.of(new float[] {0f, (float) Math.log(3), 9f, -2f}, new int[] {0, 1});
        assertEquals(0.25, p[0], 1e-6);
        assertEquals(0.75, p[1], 1e-6);
        assertEquals(1, CandidateProbabilities.argmax(p));
    }

    @Test
    void autoScoresThePopeStyleBenchmarksByProbabilityAndTheRestByGeneration() {
        Path file = Path.of("x.jsonl");
        List<Numbered> lines = List.of(
                line(1, "p", "pope", List.of("yes"), null, List.of()),
                line(2, "g", "gqa", List.of("yes"), null, List.of()),
                line(3, "t", "textvqa", List.of("cat"), "probability", List.of("cat", "dog")),
                line(4, "v", "vsr", List.of("no"), "generate", List.of()));
        ScoringPlan plan = ScoringPlan.of(ScoringMode.AUTO, file, lines, ProbabilityScoringTest::letters);
        assertEquals(List.of("yes", "no"), plan.choice("p").candidates());
        assertArrayEquals(new int[] {'y', 'n'}, plan.choice("p").firstTokens());
        assertEquals("generate", plan.choice("g").label());
        assertEquals(List.of("cat", "dog"), plan.choice("t").candidates());
        assertEquals("generate", plan.choice("v").label());
        assertTrue(plan.fallbacks().isEmpty());
    }

    @Test
    void candidatesWithTheSameFirstTokenAreAnErrorNamingTheLine() {
        List<Numbered> lines = List.of(line(1, "a", "ai2d", List.of("cat"), null, List.of("dog", "cat")),
                line(7, "b", "ai2d", List.of("cat"), null, List.of("cat", "cow")));
        DatasetException e = assertThrows(DatasetException.class,
                () -> ScoringPlan.of(ScoringMode.PROBABILITY, Path.of("x.jsonl"), lines, ProbabilityScoringTest::letters));
        assertTrue(e.getMessage().startsWith("x.jsonl:7: question 'b'"), e.getMessage());
        assertTrue(e.getMessage().contains("'cat' and 'cow' begin with the same token"), e.getMessage());
    }

    @Test
    void autoFallsBackToGenerationAndSaysWhy() {
        List<Numbered> lines = List.of(line(3, "a", "ai2d", List.of("b"), null, List.of()),
                line(4, "c", "tallyqa", List.of("12"), null, List.of("1", "12")));
        ScoringPlan plan = ScoringPlan.of(ScoringMode.AUTO, Path.of("x.jsonl"), lines, ProbabilityScoringTest::letters);
        assertEquals("generate", plan.choice("a").label());
        assertEquals("generate", plan.choice("c").label());
        assertEquals(2, plan.fallbacks().size());
        assertTrue(plan.fallbacks().get(0).startsWith("a (line 3): no candidates"), plan.fallbacks().get(0));
        String notes = String.join("\n", plan.notes());
        assertTrue(notes.contains("2 question(s) fell back to generation"), notes);
    }

    @Test
    void probabilityModeRejectsAnOpenQuestionWithoutCandidates() {
        List<Numbered> lines = List.of(line(2, "q", "gqa", List.of("red"), null, List.of()));
        DatasetException e = assertThrows(DatasetException.class,
                () -> ScoringPlan.of(ScoringMode.PROBABILITY, Path.of("x.jsonl"), lines, ProbabilityScoringTest::letters));
        assertTrue(e.getMessage().startsWith("x.jsonl:2:"), e.getMessage());
    }

    @Test
    void theAnswerIsTheMostProbableCandidateAsTheLibraryComputesIt() throws Exception {
        String spec = "dtp:early=2,late=6,r=0.5";
        Map<String, JsonObject> cached = predictions(run(spec, "on"));
        Map<String, JsonObject> uncached = predictions(run(spec, "off"));
        List<EvalSample> samples = JsonlDataset.read(yesNo);
        assertEquals(2 * samples.size(), cached.size());
        PruningPolicy policy = PolicySpec.parse(spec);
        try (VisionLanguageModel vlm = VisionLanguageModel.load(model); NDManager m = NDManager.newBaseManager()) {
            int yes = vlm.tokenizer().encode("yes")[0];
            int no = vlm.tokenizer().encode("no")[0];
            assertNotEquals(yes, no);
            for (EvalSample s : samples) {
                float[] logits;
                try (Prefill p = vlm.model().prefill(EvalInputs.input(vlm, s, m), policy, PrefillOptions.DEFAULT)) {
                    logits = p.logits();
                }
                double pYes = 1 / (1 + Math.exp(logits[no] - logits[yes])); // the two-way softmax
                for (Map<String, JsonObject> run : List.of(cached, uncached)) {
                    JsonObject r = run.get(spec + "/" + s.id());
                    assertEquals("probability", r.get("scoring").getAsString());
                    JsonObject probs = r.getAsJsonObject("probabilities");
                    assertEquals(pYes, probs.get("yes").getAsDouble(), 1e-4, s.id());
                    assertEquals(1.0, probs.get("yes").getAsDouble() + probs.get("no").getAsDouble(), 1e-9);
                    assertEquals(pYes >= 0.5 ? "yes" : "no", r.get("prediction").getAsString(), s.id());
                    assertEquals(8, r.getAsJsonArray("kept_tokens").size());
                }
            }
        }
    }

    @Test
    void writesVlmEvaluationMetricsAndPerSampleLinesPerBenchmark() throws Exception {
        Path out = run("none", "on");
        List<EvalSample> samples = JsonlDataset.read(yesNo);
        for (String family : samples.stream().map(EvalSample::family).distinct().toList()) {
            Path d = out.resolve("vlm-evaluation").resolve(family).resolve("none");
            JsonObject metrics = JsonParser.parseString(Files.readString(d.resolve("metrics.json"))).getAsJsonObject();
            long n = samples.stream().filter(s -> s.family().equals(family)).count();
            assertEquals(family, metrics.get("dataset").getAsString());
            assertEquals("model", metrics.get("model").getAsString());
            assertEquals(n, metrics.get("n_examples").getAsLong());
            assertEquals(n, metrics.getAsJsonArray("examples").size());
            JsonObject summary = metrics.getAsJsonObject("summary");
            assertTrue(summary.has("accuracy") && summary.has("f1") && summary.has("yes_ratio"), summary.toString());
            List<String> lines = Files.readAllLines(d.resolve("samples.jsonl"));
            assertEquals(n, lines.size());
            JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
            for (String key : List.of("question_id", "prediction", "probabilities", "kept_tokens", "prefill_ms")) {
                assertTrue(first.has(key), key + " in " + first);
            }
        }
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("prefill ms median"), md);
    }

    @Test
    void anOpenQuestionUnderProbabilityScoringFailsTheRunNamingItsLine() {
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--data", all.toString(), "--policies", "none",
                "--scoring", "probability", "--out", dir.resolve("open").toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains(all + ":"), r.err());
        assertTrue(r.err().contains("cannot be scored by probability"), r.err());
    }

    @Test
    void anUnknownScoringModeIsAParameterError() {
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--data", yesNo.toString(), "--policies", "none",
                "--scoring", "logits", "--out", dir.resolve("bad").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--scoring must be auto, generate or probability"), r.err());
    }

    private static Path run(String spec, String cache) {
        Path out = dir.resolve("prob-" + cache + "-" + spec.length());
        String policies = spec.equals("none") ? "none" : "none," + spec;
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--data", yesNo.toString(), "--policies", policies,
                "--scoring", "probability", "--image-cache", cache, "--out", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("by candidate probability"), r.out());
        return out;
    }

    private static Map<String, JsonObject> predictions(Path out) throws Exception {
        Map<String, JsonObject> byKey = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("predictions.jsonl"), StandardCharsets.UTF_8)) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            byKey.put(o.get("policy").getAsString() + "/" + o.get("id").getAsString(), o);
        }
        return byKey;
    }

    /** A tokenizer for plan tests: one token per character. */
    private static int[] letters(String s) {
        return s.chars().toArray();
    }

    private static Numbered line(int n, String id, String family, List<String> answers, String scoring,
            List<String> candidates) {
        return new Numbered(new EvalSample(id, Path.of("img.png"), "q?", answers, family, null, null, scoring,
                new ArrayList<>(candidates)), n);
    }
}
