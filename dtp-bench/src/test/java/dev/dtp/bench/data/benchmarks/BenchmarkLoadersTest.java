package dev.dtp.bench.data.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each loader on its hand-written sample (src/test/resources/benchmarks/), every field checked by hand. */
class BenchmarkLoadersTest {
    @TempDir
    Path dir;

    private static List<String> times(int n, String answer) {
        return Collections.nCopies(n, answer);
    }

    private static void assertSample(EvalSample s, String id, Path image, String question, List<String> answers,
            String family, String subset) {
        assertEquals(id, s.id());
        assertEquals(image, s.image());
        assertEquals(question, s.question());
        assertEquals(answers, s.answers());
        assertEquals(family, s.family());
        assertEquals(subset, s.subset());
        assertNull(s.features());
    }

    /** Written to JSONL and read back (which also checks that every image exists), nothing changes. */
    private void assertRoundTrips(List<EvalSample> samples) throws IOException {
        Path jsonl = dir.resolve("out/round-trip.jsonl");
        JsonlDataset.write(jsonl, samples);
        assertEquals(samples, JsonlDataset.read(jsonl));
    }

    @Test
    void gqa() throws IOException {
        Path root = Fixtures.copy("gqa", dir);
        Path images = root.resolve("images");
        LoadResult r = GqaLoader.load(root.resolve("testdev_balanced_questions.json"), images, LoadOptions.ALL);
        assertEquals(3, r.samples().size());
        assertEquals(0, r.missingImages());
        assertSample(r.samples().get(0), "gqa-20968379", images.resolve("n161313.jpg"), "Is there a cup on the table?",
                List.of("yes"), "gqa", "verify");
        assertSample(r.samples().get(1), "gqa-20968380", images.resolve("n161313.jpg"),
                "What piece of furniture is the cup on?", List.of("table"), "gqa", "query");
        // the key's leading zero is kept
        assertSample(r.samples().get(2), "gqa-05515938", images.resolve("n235859.jpg"), "Is it a sofa or a chair?",
                List.of("sofa"), "gqa", "choose");
        assertEquals(Map.of("choose", 1, "query", 1, "verify", 1), r.perSubset());
        assertRoundTrips(r.samples());
    }

    @Test
    void vqav2KeepsAllTenAnswersInAnnotatorOrder() throws IOException {
        Path root = Fixtures.copy("vqav2", dir);
        Path images = root.resolve("val2014");
        LoadResult r = Vqav2Loader.load(root.resolve("v2_OpenEnded_mscoco_val2014_questions.json"),
                root.resolve("v2_mscoco_val2014_annotations.json"), images, LoadOptions.ALL);
        assertEquals(3, r.samples().size());
        // question order, although the annotations file lists them in another order
        List<String> umbrella = List.of("umbrella", "umbrella", "umbrella", "umbrella", "umbrella", "umbrella",
                "parasol", "parasol", "umbrella", "umbrella");
        assertSample(r.samples().get(0), "vqav2-262148000", images.resolve("COCO_val2014_000000262148.jpg"),
                "What is the woman holding over her head?", umbrella, "vqav2", "other");
        List<String> raining = List.of("yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "no", "yes");
        assertSample(r.samples().get(1), "vqav2-262148001", images.resolve("COCO_val2014_000000262148.jpg"),
                "Is it raining?", raining, "vqav2", "yes/no");
        List<String> bowls = List.of("2", "2", "2", "two", "2", "3", "2", "2", "2", "2");
        assertSample(r.samples().get(2), "vqav2-393225000", images.resolve("COCO_val2014_000000393225.jpg"),
                "How many bowls are on the table?", bowls, "vqav2", "number");
        assertRoundTrips(r.samples());
    }

    @Test
    void textvqa() throws IOException {
        Path root = Fixtures.copy("textvqa", dir);
        Path images = root.resolve("train_images");
        LoadResult r = TextVqaLoader.load(root.resolve("TextVQA_0.5.1_val.json"), images, LoadOptions.ALL);
        assertEquals(2, r.samples().size());
        assertSample(r.samples().get(0), "textvqa-34602", images.resolve("0054c91397f2fe05.jpg"),
                "what brand is the soda?", List.of("coca cola", "coca cola", "coke", "coca-cola", "coca cola", "cola",
                        "coca cola", "coke", "coca cola", "coca cola"), "textvqa", null);
        assertSample(r.samples().get(1), "textvqa-34603", images.resolve("00685bc495504d61.jpg"),
                "what number is on the jersey?", List.of("23", "23", "23", "23", "23", "28", "23", "23", "23", "23"),
                "textvqa", null);
        assertTrue(r.perSubset().isEmpty());
        assertRoundTrips(r.samples());
    }

    @Test
    void popeTakesTheSubsetFromTheFileNameAndPrefixesIdsWithIt() throws IOException {
        Path root = Fixtures.copy("pope", dir);
        Path images = root.resolve("val2014");
        List<Path> files = List.of(root.resolve("coco_pope_random.json"), root.resolve("coco_pope_popular.json"),
                root.resolve("coco_pope_adversarial.json"));
        LoadResult r = PopeLoader.load(files, images, LoadOptions.ALL);
        assertEquals(6, r.samples().size());
        Path a = images.resolve("COCO_val2014_000000310196.jpg");
        Path b = images.resolve("COCO_val2014_000000210789.jpg");
        assertSample(r.samples().get(0), "pope-random-1", a, "Is there a snowboard in the image?", List.of("yes"), "pope", "random");
        assertSample(r.samples().get(1), "pope-random-2", a, "Is there a toaster in the image?", List.of("no"), "pope", "random");
        assertSample(r.samples().get(2), "pope-popular-1", a, "Is there a person in the image?", List.of("yes"), "pope", "popular");
        assertSample(r.samples().get(3), "pope-popular-2", b, "Is there a chair in the image?", List.of("no"), "pope", "popular");
        assertSample(r.samples().get(4), "pope-adversarial-1", b, "Is there a dining table in the image?", List.of("yes"),
                "pope", "adversarial");
        assertSample(r.samples().get(5), "pope-adversarial-2", b, "Is there a fork in the image?", List.of("no"), "pope",
                "adversarial");
        assertEquals(Map.of("adversarial", 2, "popular", 2, "random", 2), r.perSubset());
        assertRoundTrips(r.samples());

        assertEquals("random", PopeLoader.subsetOf(Path.of("x/coco_pope_random.json")));
        assertEquals("adversarial", PopeLoader.subsetOf(Path.of("gqa_pope_adversarial.json")));
        assertEquals("popular", PopeLoader.subsetOf(Path.of("popular.jsonl")));
    }

    @Test
    void popeLimitAppliesToEachFile() throws IOException {
        Path root = Fixtures.copy("pope", dir);
        List<Path> files = List.of(root.resolve("coco_pope_random.json"), root.resolve("coco_pope_adversarial.json"));
        LoadResult r = PopeLoader.load(files, root.resolve("val2014"), LoadOptions.ALL.withLimit(1));
        assertEquals(List.of("pope-random-1", "pope-adversarial-1"), r.samples().stream().map(EvalSample::id).toList());
    }

    @Test
    void vsrPhrasesTheCaptionAsAYesNoQuestion() throws IOException {
        Path root = Fixtures.copy("vsr", dir);
        Path images = root.resolve("images");
        LoadResult r = VsrLoader.load(root.resolve("test.jsonl"), images, LoadOptions.ALL);
        assertEquals(3, r.samples().size());
        // the caption is the question, as vlm-evaluation gives it to its True/False prompt; label 1 is True
        assertSample(r.samples().get(0), "vsr-test-1", images.resolve("000000085637.jpg"),
                "The cat is left of the laptop.", List.of("True"), "vsr", "left of");
        assertSample(r.samples().get(1), "vsr-test-2", images.resolve("000000085637.jpg"),
                "The laptop is on top of the cat.", List.of("False"), "vsr", "on top of");
        assertSample(r.samples().get(2), "vsr-test-3", images.resolve("000000412104.jpg"),
                "The dog is left of the bench.", List.of("True"), "vsr", "left of");
        for (EvalSample s : r.samples()) {
            assertEquals(List.of("True", "False"), s.candidates(), s.id());
            assertNull(s.scoring(), s.id());
        }
        assertEquals(Map.of("left of", 2, "on top of", 1), r.perSubset());
        assertRoundTrips(r.samples());
    }

    @Test
    void vizwiz() throws IOException {
        Path root = Fixtures.copy("vizwiz", dir);
        Path images = root.resolve("val");
        LoadResult r = VizWizLoader.load(root.resolve("val.json"), images, LoadOptions.ALL);
        assertEquals(3, r.samples().size());
        List<String> can = List.of("unanswerable", "unanswerable", "unanswerable", "unanswerable", "unanswerable",
                "unanswerable", "unanswerable", "beans", "unanswerable", "unanswerable");
        assertSample(r.samples().get(0), "vizwiz-VizWiz_val_00000000", images.resolve("VizWiz_val_00000000.jpg"),
                "What is in this can?", can, "vizwiz", "unanswerable");
        List<String> tea = List.of("green tea", "green tea", "mint", "mint", "green tea", "mint", "green tea",
                "green tea", "green", "green tea");
        assertSample(r.samples().get(1), "vizwiz-VizWiz_val_00000001", images.resolve("VizWiz_val_00000001.jpg"),
                "What flavor is this tea?", tea, "vizwiz", "other");
        assertSample(r.samples().get(2), "vizwiz-VizWiz_val_00000002", images.resolve("VizWiz_val_00000002.jpg"),
                "Is the light on?", times(10, "no"), "vizwiz", "yes/no");
        assertRoundTrips(r.samples());
    }

    @Test
    void limitKeepsTheFirstEntriesInFileOrder() throws IOException {
        Path gqa = Fixtures.copy("gqa", dir);
        LoadResult r = GqaLoader.load(gqa.resolve("testdev_balanced_questions.json"), gqa.resolve("images"),
                LoadOptions.ALL.withLimit(2));
        assertEquals(List.of("gqa-20968379", "gqa-20968380"), r.samples().stream().map(EvalSample::id).toList());

        Path vqa = Fixtures.copy("vqav2", dir);
        LoadResult v = Vqav2Loader.load(vqa.resolve("v2_OpenEnded_mscoco_val2014_questions.json"),
                vqa.resolve("v2_mscoco_val2014_annotations.json"), vqa.resolve("val2014"), LoadOptions.ALL.withLimit(1));
        assertEquals(List.of("vqav2-262148000"), v.samples().stream().map(EvalSample::id).toList());
        assertEquals(10, v.samples().get(0).answers().size());
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.ALL.withLimit(0));
    }

    @Test
    void missingImagesFailUnlessAllowedThenTheyAreSkippedAndCounted() throws IOException {
        Path root = Fixtures.copy("vqav2", dir);
        Files.delete(root.resolve("val2014/COCO_val2014_000000262148.jpg"));
        Path questions = root.resolve("v2_OpenEnded_mscoco_val2014_questions.json");
        Path annotations = root.resolve("v2_mscoco_val2014_annotations.json");
        DatasetException e = assertThrows(DatasetException.class,
                () -> Vqav2Loader.load(questions, annotations, root.resolve("val2014"), LoadOptions.ALL));
        assertTrue(e.getMessage().startsWith(questions + ": questions[0] (question_id 262148000): image file not found: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("COCO_val2014_000000262148.jpg"), e.getMessage());

        LoadResult r = Vqav2Loader.load(questions, annotations, root.resolve("val2014"),
                LoadOptions.ALL.allowingMissingImages());
        assertEquals(2, r.missingImages()); // both questions on image 262148
        assertEquals(List.of("vqav2-393225000"), r.samples().stream().map(EvalSample::id).toList());

        // with a limit, skipped entries do not count towards it
        LoadResult one = Vqav2Loader.load(questions, annotations, root.resolve("val2014"),
                new LoadOptions(1, true));
        assertEquals(List.of("vqav2-393225000"), one.samples().stream().map(EvalSample::id).toList());
    }

    @Test
    void missingImageInAJsonlSourceNamesTheLine() throws IOException {
        Path root = Fixtures.copy("vsr", dir);
        Files.delete(root.resolve("images/000000412104.jpg"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> VsrLoader.load(root.resolve("test.jsonl"), root.resolve("images"), LoadOptions.ALL));
        assertTrue(e.getMessage().startsWith(root.resolve("test.jsonl") + ":3: image file not found: "), e.getMessage());
        LoadResult r = VsrLoader.load(root.resolve("test.jsonl"), root.resolve("images"), LoadOptions.ALL.allowingMissingImages());
        assertEquals(2, r.samples().size());
        assertEquals(1, r.missingImages());
    }
}
