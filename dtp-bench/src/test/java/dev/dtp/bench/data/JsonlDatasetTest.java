package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlDatasetTest {
    @TempDir
    Path dir;

    private static final String GOOD =
            "{\"id\":\"a\",\"image\":\"img/a.png\",\"question\":\"what?\",\"answers\":[\"red\"],\"family\":\"gqa\"}";

    @BeforeEach
    void images() throws IOException {
        Files.createDirectories(dir.resolve("img"));
        Files.write(dir.resolve("img/a.png"), new byte[] {1});
        Files.write(dir.resolve("img/b.png"), new byte[] {2});
        Files.write(dir.resolve("img/b.safetensors"), new byte[] {3});
    }

    /** Paths given relative to the current directory (e.g. from {@code --out results/data}) are written relative to the file. */
    @Test
    void writesCurrentDirectoryRelativePathsRelativeToTheFile() throws IOException {
        Path root = Path.of("target", "jsonl-relative-test");
        Path images = root.resolve("data").resolve("images");
        Files.createDirectories(images);
        Files.write(images.resolve("a.png"), new byte[] {1});
        Path jsonl = root.resolve("data").resolve("set.jsonl");
        JsonlDataset.write(jsonl, List.of(new EvalSample("a", images.resolve("a.png"), "q?", List.of("x"), "f", null, null)));
        assertTrue(Files.readString(jsonl).contains("\"image\":\"images/a.png\""), Files.readString(jsonl));
        assertEquals(images.resolve("a.png").toAbsolutePath().normalize(), JsonlDataset.read(jsonl).get(0).image());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        List<EvalSample> samples = List.of(
                new EvalSample("a", dir.resolve("img/a.png"), "is it \"red\" & <big>?", List.of("yes"), "pope", "random", null),
                new EvalSample("b", dir.resolve("img/b.png"), "how many?", List.of("2", "two", "2"), "vqav2", null,
                        dir.resolve("img/b.safetensors")));
        Path jsonl = dir.resolve("eval.jsonl");
        JsonlDataset.write(jsonl, samples);
        assertEquals(samples, JsonlDataset.read(jsonl));
        String text = Files.readString(jsonl);
        assertTrue(text.startsWith("{\"id\":\"a\",\"image\":\"img/a.png\",\"question\":\"is it \\\"red\\\" & <big>?\""), text);
        assertTrue(text.contains("\"features\":\"img/b.safetensors\""), text);
    }

    @Test
    void blankLinesByteOrderMarkCrLfAndUnknownFieldsAreAccepted() throws IOException {
        List<EvalSample> read = read("\uFEFF", GOOD.replace("}", ",\"extra\":[1,2]}") + "\r", "   ");
        assertEquals(1, read.size());
        assertEquals(dir.resolve("img/a.png"), read.get(0).image());
        assertEquals(null, read.get(0).subset());
    }

    @Test
    void badJsonNamesFileAndLine() {
        assertError(":2: bad JSON", GOOD, "{\"id\": \"b\",");
        assertError(":1: bad JSON", "{id:\"a\"}");
        assertError(":1: bad JSON", GOOD + " 42");
        assertError(":1: expected a JSON object, found an array", "[1]");
    }

    @Test
    void missingAndMistypedFieldsAreNamed() {
        assertError(":1: missing field 'question'", GOOD.replace("\"question\":\"what?\",", ""));
        assertError(":1: field 'id' must be a string, found a number", GOOD.replace("\"a\"", "7"));
        assertError(":1: field 'answers' must be an array of strings, found a string",
                GOOD.replace("[\"red\"]", "\"red\""));
        assertError(":1: answers[1] must be a string, found a number", GOOD.replace("[\"red\"]", "[\"red\",3]"));
        assertError(":1: field 'answers' is empty", GOOD.replace("[\"red\"]", "[]"));
        assertError(":1: field 'subset' must be a string, found a boolean", GOOD.replace("}", ",\"subset\":true}"));
    }

    @Test
    void missingFilesAndDuplicateIdsAreReported() {
        assertError(":1: image file not found: img/zzz.png", GOOD.replace("a.png", "zzz.png"));
        assertError(":1: features file not found: f.safetensors", GOOD.replace("}", ",\"features\":\"f.safetensors\"}"));
        assertError(":3: duplicate id 'a' (first on line 1)", GOOD, "", GOOD);
    }

    @Test
    void invalidUtf8IsReportedWithItsLine() throws IOException {
        Path jsonl = dir.resolve("eval.jsonl");
        byte[] good = (GOOD + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(good, good.length + 3);
        bytes[good.length] = (byte) 0xC3; // truncated two-byte sequence
        bytes[good.length + 1] = '{';
        bytes[good.length + 2] = '\n';
        Files.write(jsonl, bytes);
        DatasetException e = assertThrows(DatasetException.class, () -> JsonlDataset.read(jsonl));
        assertTrue(e.getMessage().startsWith(jsonl + ":2: not UTF-8"), e.getMessage());
    }

    @Test
    void scoringAndCandidatesRoundTripAndAreValidated() throws IOException {
        EvalSample s = new EvalSample("a", dir.resolve("img/a.png"), "which?", List.of("b"), "ai2d", null, null,
                "probability", List.of("a", "b", "c"));
        Path jsonl = dir.resolve("eval.jsonl");
        JsonlDataset.write(jsonl, List.of(s));
        assertTrue(Files.readString(jsonl).contains("\"scoring\":\"probability\",\"candidates\":[\"a\",\"b\",\"c\"]"));
        assertEquals(List.of(s), JsonlDataset.read(jsonl));
        assertError(":2: field 'scoring' must be one of [generate, probability], got 'logits'",
                GOOD, GOOD.replace("\"a\"", "\"b\"").replace("}", ",\"scoring\":\"logits\"}"));
        assertError(":1: candidates[1] 'x' is given twice", GOOD.replace("}", ",\"candidates\":[\"x\",\"x\"]}"));
        assertError(":1: field 'candidates' needs at least two", GOOD.replace("}", ",\"candidates\":[\"x\"]}"));
        assertError(":1: candidates[0] must be a non-blank string", GOOD.replace("}", ",\"candidates\":[1,\"x\"]}"));
    }

    private List<EvalSample> read(String... lines) throws IOException {
        Path jsonl = dir.resolve("eval.jsonl");
        Files.writeString(jsonl, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return JsonlDataset.read(jsonl);
    }

    private void assertError(String expected, String... lines) {
        DatasetException e = assertThrows(DatasetException.class, () -> read(lines));
        assertTrue(e.getMessage().startsWith(dir.resolve("eval.jsonl") + expected), e.getMessage());
    }
}
