package dev.dtp.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.DtpCli;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.eval.EvalJob;
import dev.dtp.bench.eval.EvalRun;
import dev.dtp.bench.eval.EvalSession;
import dev.dtp.bench.eval.SampleResult;
import dev.dtp.bench.train.VlmCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dtp eval --spark local[2]} against the single-JVM run, on a seeded 8-layer model and 36 questions. */
class SparkEvalTest {
    static final String POLICIES = "none,dtp:early=2,late=6,r=0.5";

    @TempDir
    static Path dir;

    static Path model;
    static Path data;
    static List<String> reference;

    @BeforeAll
    static void singleJvmRun() throws IOException {
        model = dir.resolve("model");
        VlmCheckpoint.writeRandom(model, 8, 32, 3);
        data = ShapesVqa.builder().seed(7).build().write(Split.TEST, 36, 3, dir.resolve("data"), i -> {}).jsonl();
        Run single = eval(dir.resolve("single"));
        assertEquals(0, single.exit, single.err);
        reference = answers(dir.resolve("single"));
        assertEquals(72, reference.size());
    }

    @Test
    void sparkRunWritesTheSingleJvmRunsAnswersInItsOrder() throws IOException {
        Path out = dir.resolve("spark");
        Run r = eval(out, "--spark", "local[2]");
        assertEquals(0, r.exit, r.err + r.out);
        assertEquals(reference, answers(out));
        assertEquals(Files.readString(dir.resolve("single/results.csv")), Files.readString(out.resolve("results.csv")));
        JsonArray single = JsonParser.parseString(Files.readString(dir.resolve("single/results.json"))).getAsJsonArray();
        JsonArray spark = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonArray();
        for (int i = 0; i < single.size(); i++) {
            JsonObject a = single.get(i).getAsJsonObject();
            JsonObject b = spark.get(i).getAsJsonObject();
            for (String field : List.of("policy", "samples", "flops_ratio", "accuracy", "by_family", "metrics", "visual_prefills",
                    "image_cache")) {
                assertEquals(a.get(field), b.get(field), field);
            }
        }
    }

    @Test
    void aRerunOnSparkAnswersOnlyWhatIsMissing() throws IOException {
        Path out = dir.resolve("resume");
        assertEquals(0, eval(out, "--limit", "12").exit); // four whole images, in this JVM
        Run r = eval(out, "--spark", "local[2]");
        assertEquals(0, r.exit, r.err + r.out);
        assertTrue(r.out.contains("Resuming: 24 of 72 answers"), r.out);
        assertEquals(reference, answers(out));
    }

    @Test
    void aRetriedTaskAddsNoAnswers() throws IOException {
        EvalJob job = new EvalJob(model.toString(), null, List.of(POLICIES.split(",(?=dtp)")),
                new EvalRun.Settings(4, true, 1), "cpu");
        List<List<EvalSample>> images = EvalRun.byImage(JsonlDataset.read(data));
        List<String> got = new ArrayList<>();
        // local[2,2]: a task may fail once; partition 0's first attempt fails after answering an image
        try (EvalSession session = new SparkEvalCluster(1).open("local[2,2]", job)) {
            session.answer(images, Set.of(), r -> got.add(line(r)));
        }
        assertEquals(reference, got);
    }

    @Test
    void aMissingModelDirectoryFailsOnTheDriverBeforeAnyTask() {
        Path out = dir.resolve("missing");
        Run r = run("eval", "--model", dir.resolve("no-such-model").toString(), "--data", data.toString(), "--policies", "none",
                "--out", out.toString(), "--spark", "local[2]");
        assertEquals(1, r.exit, r.out);
        assertTrue(r.err.contains("no-such-model: model directory not found"), r.err);
        assertFalse(Files.exists(out), "nothing written");
    }

    record Run(int exit, String out, String err) {}

    static Run eval(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "--model", model.toString(), "--data", data.toString(),
                "--policies", POLICIES, "--out", out.toString(), "--max-new-tokens", "4"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DtpCli.commandLine(false);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** predictions.jsonl as "policy id prediction" lines, timings left out. */
    static List<String> answers(Path out) throws IOException {
        return Files.readAllLines(out.resolve("predictions.jsonl")).stream().map(l -> {
            JsonObject p = JsonParser.parseString(l).getAsJsonObject();
            return p.get("policy").getAsString() + " " + p.get("id").getAsString() + " " + p.get("prediction").getAsString()
                    + " " + p.get("macs").getAsDouble();
        }).toList();
    }

    static String line(SampleResult r) {
        return r.policy() + " " + r.id() + " " + r.prediction() + " " + r.macs();
    }
}
