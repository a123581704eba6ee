package dev.dtp.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.BenchCommand;
import dev.dtp.bench.cli.CliRun;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.train.VlmCheckpoint;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dtp eval} and {@code dtp generate} in-process on a seeded 8-layer multimodal model. */
class EvalCommandTest {
    @TempDir
    static Path dir;

    static Path model;
    static Path data;

    @BeforeAll
    static void create() throws Exception {
        model = dir.resolve("model");
        VlmCheckpoint.writeRandom(model, 8, 32, 3);
        ShapesVqa.builder().seed(4).build().write(Split.TEST, 6, dir.resolve("data"), i -> {});
        data = dir.resolve("data").resolve(ShapesVqa.jsonlName(Split.TEST));
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void writesTablesAndResultsThatMatchTheLibrary() throws Exception {
        Path out = dir.resolve("eval");
        CliRun r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none,dtp:early=2,late=6,r=0.5",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        JsonArray results = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonArray();
        assertEquals(2, results.size());
        JsonObject none = results.get(0).getAsJsonObject();
        JsonObject dtp = results.get(1).getAsJsonObject();
        assertEquals("none", none.get("policy").getAsString());
        assertEquals(1.0, none.get("flops_ratio").getAsDouble(), 1e-12);
        assertTrue(dtp.get("flops_ratio").getAsDouble() < 0.8, dtp.toString());
        for (JsonObject o : List.of(none, dtp)) {
            double acc = o.get("accuracy").getAsDouble();
            assertTrue(acc >= 0 && acc <= 1);
            assertTrue(o.getAsJsonObject("by_family").size() >= 1);
        }
        // every answer equals what the library API gives for the same sample and policy
        List<EvalSample> samples = JsonlDataset.read(data);
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"), StandardCharsets.UTF_8);
        assertEquals(12, lines.size());
        try (VisionLanguageModel vlm = VisionLanguageModel.load(model); NDManager m = NDManager.newBaseManager()) {
            PruningPolicy policy = PolicySpec.parse("dtp:early=2,late=6,r=0.5");
            for (String line : lines) {
                JsonObject p = JsonParser.parseString(line).getAsJsonObject();
                if (!p.get("policy").getAsString().startsWith("dtp")) {
                    continue;
                }
                EvalSample s = samples.stream().filter(x -> x.id().equals(p.get("id").getAsString())).findFirst().orElseThrow();
                Generation g = vlm.model().generate(EvalInputs.input(vlm, s, m), vlm.generationConfig(8), policy, id -> {});
                assertEquals(vlm.decode(g.tokens()), p.get("prediction").getAsString(), s.id());
            }
        }
        // the Markdown table has a header, a rule and one row per policy
        List<String> md = Files.readAllLines(out.resolve("results.md")).stream().filter(l -> l.startsWith("|")).toList();
        assertEquals(4, md.size());
        assertTrue(md.get(0).startsWith("| Method | FLOPs ratio |"));
        assertTrue(md.get(3).contains("(") , "deltas against none: " + md.get(3));
        assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size());
    }

    @Test
    void theImageCacheAndBatchedDecodingChangeNoAnswer() throws Exception {
        Path multi = dir.resolve("multi");
        ShapesVqa.Summary written = ShapesVqa.builder().seed(5).build().write(Split.TEST, 9, 3, multi, i -> {});
        assertEquals(9, written.count());
        Path file = written.jsonl();
        assertEquals(3, EvalRun.byImage(JsonlDataset.read(file)).size());
        String policies = "none,dtp:early=2,late=6,r=0.5,topk-all:layer=2,r=0.5";
        Map<String, Map<String, String>> answers = new LinkedHashMap<>();
        for (String[] flags : List.of(new String[] {"--image-cache", "off"}, new String[] {"--image-cache", "on"},
                new String[] {"--image-cache", "on", "--batch", "3"}, new String[] {"--image-cache", "off", "--batch", "2"})) {
            String name = String.join("-", flags);
            Path out = dir.resolve("cache" + name);
            List<String> args = new ArrayList<>(List.of("eval", "--model", model.toString(), "--data",
                    file.toString(), "--policies", policies, "--out", out.toString()));
            args.addAll(List.of(flags));
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err() + r.out());
            Map<String, String> predictions = new TreeMap<>();
            for (String line : Files.readAllLines(out.resolve("predictions.jsonl"))) {
                JsonObject p = JsonParser.parseString(line).getAsJsonObject();
                predictions.put(p.get("policy").getAsString() + " " + p.get("id").getAsString(),
                        p.get("prediction").getAsString());
            }
            assertEquals(27, predictions.size());
            answers.put(name, predictions);
            JsonArray results = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonArray();
            boolean on = flags[1].equals("on");
            for (int i = 0; i < 3; i++) {
                JsonObject o = results.get(i).getAsJsonObject();
                boolean prefixSafe = i < 2;
                assertEquals(9, o.get("questions").getAsInt());
                assertEquals(on && prefixSafe ? 3 : 9, o.get("visual_prefills").getAsInt(), name + " " + o);
                assertTrue(o.get("prefill_ms_total").getAsDouble() > 0);
                assertEquals(!on ? "off" : prefixSafe ? "on" : "off (policy not prefix-safe)",
                        o.get("image_cache").getAsString());
            }
            String md = Files.readString(out.resolve("results.md"));
            assertTrue(md.contains("prefill ms/q"), md);
            if (on) {
                assertTrue(md.contains("uncached: `topk-all:layer=2,r=0.5` off (policy not prefix-safe)"), md);
            }
        }
        Map<String, String> reference = answers.values().iterator().next();
        answers.forEach((name, predictions) -> assertEquals(reference, predictions, name));
    }

    @Test
    void sparkWithoutTheSparkModuleSaysHowToBuildIt() throws Exception {
        Path out = dir.resolve("no-spark");
        CliRun r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none",
                "--out", out.toString(), "--spark", "local[2]");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("--spark needs the dtp-spark module") && r.err().contains("mvn -B install -pl dtp-spark -am"),
                r.err());
        assertTrue(!Files.exists(out.resolve("predictions.jsonl")), "nothing written");
    }

    @Test
    void sparkTakesItsThreadsFromSparkNotFromThreads() {
        CliRun r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none",
                "--out", dir.resolve("spark-threads").toString(), "--spark", "local[2]", "--threads", "2");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--threads does not apply with --spark"), r.err());
    }

    @Test
    void policyListsSplitBetweenSpecsNotBetweenParameters() {
        assertEquals(List.of("none", "dtp", "fastv:k=3,r=0.5", "dtp:early=2,late=6+random:k=1,r=0.5", "vtw:k=5"),
                List.of("none,dtp,fastv:k=3,r=0.5,dtp:early=2,late=6+random:k=1,r=0.5,vtw:k=5"
                        .split(BenchCommand.POLICY_LIST)));
    }

    @Test
    void resumesWhereItStopped() throws Exception {
        Path out = dir.resolve("resume");
        assertEquals(0, run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none",
                "--out", out.toString(), "--limit", "3").exit());
        String first = Files.readString(out.resolve("predictions.jsonl"));
        // an interrupted write leaves half a line; the rerun answers that sample again and adds the rest
        Files.writeString(out.resolve("predictions.jsonl"), first + "{\"policy\":\"none\",\"id\":");
        CliRun r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Resuming: 3 of 6"), r.out());
        JsonObject none = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonArray().get(0)
                .getAsJsonObject();
        assertEquals(6, none.get("samples").getAsInt());
        // the fragment is gone: every line parses, each sample once, and a third run has nothing left to do
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertEquals(6, lines.size());
        lines.forEach(l -> JsonParser.parseString(l).getAsJsonObject());
        CliRun again = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none", "--out",
                out.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("Resuming: 6 of 6"), again.out());
    }

    @Test
    void doesNotResumeFromAnotherModelsAnswers() throws Exception {
        Path out = dir.resolve("changed");
        Path copy = dir.resolve("model-copy");
        Files.createDirectories(copy);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        assertEquals(0, run("eval", "--model", copy.toString(), "--data", data.toString(), "--policies", "none",
                "--out", out.toString(), "--limit", "2").exit());
        // a calibration file appears in the model directory: "dtp" and friends may now mean other layers
        Files.writeString(copy.resolve("calibration.json"), "{\"early\": 1, \"late\": 5, \"r\": 0.5}");
        CliRun r = run("eval", "--model", copy.toString(), "--data", data.toString(), "--policies", "none", "--out",
                out.toString(), "--limit", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("starting over"), r.out());
        assertEquals(2, Files.readAllLines(out.resolve("predictions.jsonl")).size());
    }

    @Test
    void generateStreamsAnAnswerAndSummarises() throws Exception {
        EvalSample s = JsonlDataset.read(data).get(0);
        CliRun r = run("generate", "--model", model.toString(), "--image", s.image().toString(), "--prompt", s.question(),
                "--policy", "dtp:early=2,late=6,r=0.5", "--max-new-tokens", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("FLOPs ratio"), r.out());
        assertTrue(r.out().contains("L0: 256 → L2: 128 → L6: 0"), r.out());
    }

    @Test
    void generateAnswersSeveralQuestionsAboutOneImagePrefilledOnce() throws Exception {
        List<EvalSample> samples = JsonlDataset.read(data);
        EvalSample s = samples.get(0);
        String[] questions = {s.question(), samples.get(1).question(), samples.get(2).question()};
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--image",
                s.image().toString(), "--policy", "dtp:early=2,late=6,r=0.5", "--max-new-tokens", "3"));
        for (String q : questions) {
            args.add("--prompt");
            args.add(q);
        }
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Q3: " + questions[2]), r.out());
        List<String> summaries = r.out().lines().filter(l -> l.startsWith("[dtp")).toList();
        assertEquals(3, summaries.size(), r.out());
        assertTrue(summaries.get(0).contains("(image "), summaries.get(0));
        assertTrue(!summaries.get(1).contains("(image "), summaries.get(1));
        // each answer is the one a single-question run gives
        List<String> answers = r.out().lines().filter(l -> l.startsWith("A")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .toList();
        for (int q = 0; q < questions.length; q++) {
            CliRun one = run("generate", "--model", model.toString(), "--image", s.image().toString(), "--prompt",
                    questions[q], "--policy", "dtp:early=2,late=6,r=0.5", "--max-new-tokens", "3");
            assertEquals(one.out().lines().findFirst().orElseThrow().trim(), answers.get(q), "question " + q);
        }
    }

    @Test
    void demoRunsAMultimodalModelAndDrawsTheKeptPatches() throws Exception {
        Path out = dir.resolve("demo");
        CliRun r = run("demo", "--model", model.toString(), "--runs", "1", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("unpruned:") && r.out().contains("DTP:"), r.out());
        assertTrue(r.out().contains("256 → 128 → 0"), r.out());
        assertTrue(r.out().contains("measured speedup"), r.out());
        BufferedImage png = ImageIO.read(out.resolve("dtp-kept-patches.png").toFile());
        assertEquals(2 * 64 * 6 + 12, png.getWidth());
    }

    @Test
    void commonFlagsAreCheckedWithClearErrors() {
        CliRun r = run("generate", "--model", model.toString(), "--prompt", "x", "--features", "f.safetensors", "--dtype", "float16");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--dtype float16 is not supported"), r.err());
        Path out = dir.resolve("gpu-eval");
        r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none", "--device", "gpu",
                "--out", out.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("libtorch sees 0 GPU(s)"), r.err());
        assertTrue(!Files.exists(out), "a failed eval leaves no output directory");
        r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none", "--device", "tpu",
                "--out", out.toString());
        assertTrue(r.err().contains("--device must be cpu or gpu[:N]"), r.err());
    }

    @Test
    void badInputsGiveOneLineErrors() {
        CliRun r = run("eval", "--model", dir.resolve("missing").toString(), "--data", data.toString(), "--policies", "none");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("dtp: error: ") && r.err().contains("missing"), r.err());
        r = run("eval", "--model", model.toString(), "--data", data.toString(), "--policies", "dtp:r=7", "--out",
                dir.resolve("bad").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("r"), r.err());
    }
}
