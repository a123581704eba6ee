package dev.dtp.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.CliRun;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.train.VlmCheckpoint;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dtp eval} picks each question's prompt template by its benchmark (the line's family) from the
 * model directory's {@code vision.prompts}, falls back to {@code vision.prompt}, and takes
 * {@code --prompt-template} over both. Seen through the tokens the unpruned prefill processed: the
 * image's 256 patches plus the filled-in prompt's tokens, counted here with the tokenizer directly.
 */
class PromptTemplateEvalTest {
    @TempDir
    static Path dir;

    static Path plain;
    static Path data;
    static List<EvalSample> samples;
    static String first;
    static String other;

    @BeforeAll
    static void create() throws Exception {
        plain = dir.resolve("plain");
        VlmCheckpoint.writeRandom(plain, 4, 32, 5);
        ShapesVqa.builder().seed(4).build().write(Split.TEST, 6, dir.resolve("data"), i -> {});
        data = dir.resolve("data").resolve(ShapesVqa.jsonlName(Split.TEST));
        samples = JsonlDataset.read(data);
        first = samples.get(0).family();
        other = samples.stream().map(EvalSample::family).filter(f -> !f.equals(first)).findFirst().orElseThrow();
    }

    /** A copy of the plain model whose config.json's vision section has {@code prompts}. */
    static Path withPrompts(String name, String promptsJson) throws IOException {
        Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(plain)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        JsonObject config = JsonParser.parseString(Files.readString(copy.resolve("config.json"))).getAsJsonObject();
        config.getAsJsonObject("vision").add("prompts", JsonParser.parseString(promptsJson));
        Files.writeString(copy.resolve("config.json"), config.toString());
        return copy;
    }

    /** Per sample id, the tokens layer 0 processed under policy none. */
    static Map<String, Integer> firstLayerTokens(Path out) throws IOException {
        Map<String, Integer> tokens = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("predictions.jsonl"), StandardCharsets.UTF_8)) {
            JsonObject p = JsonParser.parseString(line).getAsJsonObject();
            tokens.put(p.get("id").getAsString(), p.getAsJsonArray("kept_tokens").get(0).getAsInt());
        }
        return tokens;
    }

    /** 256 patches plus the tokens of each sample's prompt as {@code prompt} fills it in. */
    static void assertPrompts(Path out, Function<EvalSample, String> prompt) throws IOException {
        Map<String, Integer> got = firstLayerTokens(out);
        assertEquals(samples.size(), got.size());
        try (MambaTokenizer tokenizer = MambaTokenizer.load(plain)) {
            for (EvalSample s : samples) {
                assertEquals(256 + tokenizer.encode(prompt.apply(s)).length, got.get(s.id()), s.id() + " " + s.family());
            }
        }
    }

    static CliRun eval(Path model, Path out, String... extra) {
        String[] args = {"eval", "--model", model.toString(), "--data", data.toString(), "--policies", "none",
                "--max-new-tokens", "1", "--out", out.toString()};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliRun.of(all);
    }

    @Test
    void eachBenchmarkUsesItsTemplateAndTheOthersTheModelsPrompt() throws Exception {
        Path model = withPrompts("one", "{\"" + first + "\": \"what color is there {question}\"}");
        Path out = dir.resolve("eval-one");
        CliRun r = eval(model, out);
        assertEquals(0, r.exit(), r.err());
        assertPrompts(out, s -> s.family().equals(first) ? "what color is there " + s.question() : s.question());
        // the template really adds tokens (else this test could not tell the two apart)
        try (MambaTokenizer t = MambaTokenizer.load(plain)) {
            assertNotEquals(t.encode(samples.get(0).question()).length,
                    t.encode("what color is there " + samples.get(0).question()).length);
        }
    }

    @Test
    void theFlagOverridesOneBenchmarkOrAll() throws Exception {
        Path model = withPrompts("two", "{\"" + first + "\": \"what color is there {question}\"}");
        Path out = dir.resolve("eval-two");
        CliRun r = eval(model, out, "--prompt-template", other + "=how many {question}");
        assertEquals(0, r.exit(), r.err());
        assertPrompts(out, s -> s.family().equals(first) ? "what color is there " + s.question()
                : s.family().equals(other) ? "how many " + s.question() : s.question());
        Path all = dir.resolve("eval-all");
        r = eval(model, all, "--prompt-template", "is {question}");
        assertEquals(0, r.exit(), r.err());
        assertPrompts(all, s -> "is " + s.question());
    }

    @Test
    void aTemplateWithoutTheQuestionIsAClearError() throws Exception {
        Path model = withPrompts("bad", "{\"" + other + "\": \"what color is there\"}");
        CliRun r = eval(model, dir.resolve("eval-bad"));
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(model.resolve("config.json") + ": vision.prompts." + other + " (benchmark " + other
                + ") must contain {question}"), r.err());
        r = eval(plain, dir.resolve("eval-bad-flag"), "--prompt-template", first + "=what color");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--prompt-template for benchmark " + first + " must contain {question}, got 'what color'"),
                r.err());
    }
}
