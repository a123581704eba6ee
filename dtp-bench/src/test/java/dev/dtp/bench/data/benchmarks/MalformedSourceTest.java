package dev.dtp.bench.data.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.bench.data.DatasetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Missing or malformed source files stop the loader with a DatasetException naming the file and the entry. */
class MalformedSourceTest {
    @TempDir
    Path dir;

    Path images;

    @BeforeEach
    void images() throws IOException {
        images = Files.createDirectories(dir.resolve("images"));
        for (String name : List.of("n1.jpg", "COCO_val2014_000000000042.jpg", "abc.jpg", "x.jpg")) {
            Files.write(images.resolve(name), new byte[] {1});
        }
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static void assertError(String expected, Executable load) {
        DatasetException e = assertThrows(DatasetException.class, load);
        assertEquals(expected, e.getMessage());
    }

    private static void assertErrorStarts(String expected, Executable load) {
        DatasetException e = assertThrows(DatasetException.class, load);
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void missingFilesAndDirectories() throws IOException {
        Path nowhere = dir.resolve("nowhere.json");
        assertError(nowhere + ": file not found", () -> GqaLoader.load(nowhere, images, LoadOptions.ALL));
        assertError(nowhere + ": file not found", () -> VsrLoader.load(nowhere, images, LoadOptions.ALL));
        Path q = file("q.json", "{}");
        Path noImages = dir.resolve("no-images");
        assertError(noImages + ": images directory not found", () -> GqaLoader.load(q, noImages, LoadOptions.ALL));
    }

    @Test
    void gqaEntries() throws IOException {
        Path q = file("gqa.json", "{\"1\": {\"imageId\": \"n1\", \"question\": \"q?\", \"answer\": \"a\"},"
                + " \"2\": {\"imageId\": \"n1\", \"question\": \"q?\"}}");
        assertError(q + ": question '2': missing field 'answer'", () -> GqaLoader.load(q, images, LoadOptions.ALL));
        Path wrongType = file("gqa2.json", "{\"7\": {\"imageId\": \"n1\", \"question\": [\"q?\"], \"answer\": \"a\"}}");
        assertError(wrongType + ": question '7': field 'question' must be a string, found an array",
                () -> GqaLoader.load(wrongType, images, LoadOptions.ALL));
        Path notObject = file("gqa3.json", "{\"7\": 5}");
        assertError(notObject + ": question '7': expected a JSON object, found a number",
                () -> GqaLoader.load(notObject, images, LoadOptions.ALL));
        Path array = file("gqa4.json", "[]");
        assertError(array + ": the top level: expected an object, found an array",
                () -> GqaLoader.load(array, images, LoadOptions.ALL));
        Path truncated = file("gqa5.json", "{\"1\": {\"imageId\": \"n1\", ");
        assertErrorStarts(truncated + ": bad JSON: ", () -> GqaLoader.load(truncated, images, LoadOptions.ALL));
        Path escape = file("gqa6.json", "{\"1\": {\"imageId\": \"../n1\", \"question\": \"q?\", \"answer\": \"a\"}}");
        assertError(escape + ": question '1': image name leaves the images directory: '../n1.jpg'",
                () -> GqaLoader.load(escape, images, LoadOptions.ALL));
    }

    @Test
    void notUtf8() throws IOException {
        Path q = dir.resolve("latin1.json");
        Files.write(q, new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}'});
        assertError(q + ": not UTF-8", () -> GqaLoader.load(q, images, LoadOptions.ALL));
    }

    @Test
    void vqav2Entries() throws IOException {
        Path a = file("a.json", "{\"annotations\": [{\"question_id\": 42000, \"image_id\": 42, \"answer_type\": \"other\","
                + " \"answers\": [{\"answer\": \"red\"}]}]}");
        Path noArray = file("q0.json", "{\"data_subtype\": \"val2014\"}");
        assertError(noArray + ": the top level: missing field 'questions'",
                () -> Vqav2Loader.load(noArray, a, images, LoadOptions.ALL));
        Path badId = file("q1.json", "{\"questions\": [{\"question_id\": 4.5, \"image_id\": 42, \"question\": \"q?\"}]}");
        assertError(badId + ": questions[0]: field 'question_id' must be an integer or a string, found 4.5",
                () -> Vqav2Loader.load(badId, a, images, LoadOptions.ALL));
        Path noImageId = file("q2.json", "{\"questions\": [{\"question_id\": 42000, \"question\": \"q?\"}]}");
        assertError(noImageId + ": questions[0] (question_id 42000): missing field 'image_id'",
                () -> Vqav2Loader.load(noImageId, a, images, LoadOptions.ALL));
        Path twice = file("q3.json", "{\"questions\": [{\"question_id\": 42000, \"image_id\": 42, \"question\": \"q?\"},"
                + " {\"question_id\": 42000, \"image_id\": 42, \"question\": \"q?\"}]}");
        assertError(twice + ": questions[1] (question_id 42000): duplicate question_id 42000",
                () -> Vqav2Loader.load(twice, a, images, LoadOptions.ALL));

        Path q = file("q.json", "{\"questions\": [{\"question_id\": 42000, \"image_id\": 42, \"question\": \"q?\"},"
                + " {\"question_id\": 42001, \"image_id\": 42, \"question\": \"q2?\"}], \"data_subtype\": \"val2014\"}");
        assertError(a + ": question_id 42001: no annotation for this question of " + q,
                () -> Vqav2Loader.load(q, a, images, LoadOptions.ALL));
        Path badAnswers = file("a2.json", "{\"annotations\": [{\"question_id\": 42000, \"answers\": [{\"answer\": \"red\"},"
                + " {\"answer_confidence\": \"yes\"}]}]}");
        assertError(badAnswers + ": annotations[0] (question_id 42000): answers[1] has no field 'answer'",
                () -> Vqav2Loader.load(q, badAnswers, images, LoadOptions.ALL.withLimit(1)));
        Path emptyAnswers = file("a3.json", "{\"annotations\": [{\"question_id\": 42000, \"answers\": []}]}");
        assertError(emptyAnswers + ": annotations[0] (question_id 42000): field 'answers' is empty",
                () -> Vqav2Loader.load(q, emptyAnswers, images, LoadOptions.ALL.withLimit(1)));
        Path otherImage = file("a4.json", "{\"annotations\": [{\"question_id\": 42000, \"image_id\": 43,"
                + " \"answers\": [{\"answer\": \"red\"}]}]}");
        assertError(otherImage + ": annotations[0] (question_id 42000): image_id 43 differs from the questions file's 42",
                () -> Vqav2Loader.load(q, otherImage, images, LoadOptions.ALL.withLimit(1)));
    }

    @Test
    void textvqaEntries() throws IOException {
        Path noAnswers = file("t.json", "{\"data\": [{\"question_id\": 1, \"question\": \"q?\", \"image_id\": \"abc\"}]}");
        assertError(noAnswers + ": data[0] (question_id 1): missing field 'answers' (the test split has none; use the train or val file)",
                () -> TextVqaLoader.load(noAnswers, images, LoadOptions.ALL));
        Path numberAnswer = file("t2.json", "{\"data\": [{\"question_id\": 1, \"question\": \"q?\", \"image_id\": \"abc\","
                + " \"answers\": [\"a\", 3]}]}");
        assertError(numberAnswer + ": data[0] (question_id 1): answers[1] must be a string, found a number",
                () -> TextVqaLoader.load(numberAnswer, images, LoadOptions.ALL));
    }

    @Test
    void popeLines() throws IOException {
        Path p = file("coco_pope_random.json", "{\"question_id\": 1, \"image\": \"x.jpg\", \"text\": \"q?\", \"label\": \"yes\"}\n"
                + "\n"
                + "{\"question_id\": 2, \"image\": \"x.jpg\", \"text\": \"q?\", \"label\": \"maybe\"}\n");
        assertError(p + ":3: question_id 2: field 'label' must be yes/no, 1/0 or true/false, found \"maybe\"",
                () -> PopeLoader.load(List.of(p), images, LoadOptions.ALL));
        Path bad = file("coco_pope_popular.json", "{\"question_id\": 1, \"image\": \"x.jpg\", \"text\": \"q?\", \"label\": \"no\"}\n"
                + "{\"question_id\": 2, \"image\": \"x.jpg\",\n");
        assertErrorStarts(bad + ":2: bad JSON: ", () -> PopeLoader.load(List.of(bad), images, LoadOptions.ALL));
        Path dup = file("coco_pope_adversarial.json", "{\"question_id\": 1, \"image\": \"x.jpg\", \"text\": \"q?\", \"label\": \"no\"}\n"
                + "{\"question_id\": 1, \"image\": \"x.jpg\", \"text\": \"q?\", \"label\": \"no\"}\n");
        assertError(dup + ":2: question_id 1: duplicate sample id 'pope-adversarial-1'",
                () -> PopeLoader.load(List.of(dup), images, LoadOptions.ALL));
    }

    @Test
    void vsrLines() throws IOException {
        Path v = file("dev.jsonl", "{\"image\": \"x.jpg\", \"caption\": \"The cat is on the mat.\", \"label\": 2, \"relation\": \"on\"}\n");
        assertError(v + ":1: field 'label' must be yes/no, 1/0 or true/false, found 2",
                () -> VsrLoader.load(v, images, LoadOptions.ALL));
        Path noCaption = file("dev2.jsonl", "[1, 2]\n");
        assertError(noCaption + ":1: expected a JSON object, found an array",
                () -> VsrLoader.load(noCaption, images, LoadOptions.ALL));
    }

    @Test
    void vizwizEntries() throws IOException {
        Path notArray = file("val.json", "{\"image\": \"x.jpg\"}");
        assertError(notArray + ": the top level: expected an array, found an object",
                () -> VizWizLoader.load(notArray, images, LoadOptions.ALL));
        Path noQuestion = file("val2.json", "[{\"image\": \"x.jpg\", \"answers\": [{\"answer\": \"a\"}]}]");
        assertError(noQuestion + ": [0] (image x.jpg): missing field 'question'",
                () -> VizWizLoader.load(noQuestion, images, LoadOptions.ALL));
        Path answersNotObjects = file("val3.json", "[{\"image\": \"x.jpg\", \"question\": \"q?\", \"answers\": [\"a\"]}]");
        assertError(answersNotObjects + ": [0] (image x.jpg): answers[0] must be an object, found a string",
                () -> VizWizLoader.load(answersNotObjects, images, LoadOptions.ALL));
    }
}
