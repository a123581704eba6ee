package dev.dtp.bench.data.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.bench.cli.CliRun;
import dev.dtp.bench.data.JsonlDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dtp data <benchmark>} driven in-process through the real command line: the written JSONL is compared
 * line by line with hand-written expectations. Sources are copied to {@code dir/<name>/} and written to
 * {@code dir/out/}, so image paths read {@code ../<name>/…}.
 */
class BenchmarkCommandsTest {
    @TempDir
    Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private String[] lines(Path jsonl) throws IOException {
        return Files.readString(jsonl).split("\n");
    }

    private void assertJsonl(Path jsonl, String... expected) throws IOException {
        String text = Files.readString(jsonl);
        assertEquals(String.join("\n", expected) + "\n", text);
        assertEquals(expected.length, JsonlDataset.read(jsonl).size()); // valid eval JSONL, images found
    }

    @Test
    void gqa() throws IOException {
        Path root = Fixtures.copy("gqa", dir);
        Path out = dir.resolve("out/gqa.jsonl");
        CliRun r = run("data", "gqa", "--questions", root.resolve("testdev_balanced_questions.json").toString(),
                "--images", root.resolve("images").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote 3 gqa samples (choose=1, query=1, verify=1) to " + out + "\n", r.out());
        assertJsonl(out,
                "{\"id\":\"gqa-20968379\",\"image\":\"../gqa/images/n161313.jpg\",\"question\":\"Is there a cup on the table?\","
                        + "\"answers\":[\"yes\"],\"family\":\"gqa\",\"subset\":\"verify\"}",
                "{\"id\":\"gqa-20968380\",\"image\":\"../gqa/images/n161313.jpg\",\"question\":\"What piece of furniture is the cup on?\","
                        + "\"answers\":[\"table\"],\"family\":\"gqa\",\"subset\":\"query\"}",
                "{\"id\":\"gqa-05515938\",\"image\":\"../gqa/images/n235859.jpg\",\"question\":\"Is it a sofa or a chair?\","
                        + "\"answers\":[\"sofa\"],\"family\":\"gqa\",\"subset\":\"choose\"}");
    }

    @Test
    void vqav2() throws IOException {
        Path root = Fixtures.copy("vqav2", dir);
        Path out = dir.resolve("out/vqav2.jsonl");
        CliRun r = run("data", "vqav2", "--questions", root.resolve("v2_OpenEnded_mscoco_val2014_questions.json").toString(),
                "--annotations", root.resolve("v2_mscoco_val2014_annotations.json").toString(),
                "--images", root.resolve("val2014").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote 3 vqav2 samples (number=1, other=1, yes/no=1) to " + out + "\n", r.out());
        assertJsonl(out,
                "{\"id\":\"vqav2-262148000\",\"image\":\"../vqav2/val2014/COCO_val2014_000000262148.jpg\","
                        + "\"question\":\"What is the woman holding over her head?\",\"answers\":[\"umbrella\",\"umbrella\","
                        + "\"umbrella\",\"umbrella\",\"umbrella\",\"umbrella\",\"parasol\",\"parasol\",\"umbrella\",\"umbrella\"],"
                        + "\"family\":\"vqav2\",\"subset\":\"other\"}",
                "{\"id\":\"vqav2-262148001\",\"image\":\"../vqav2/val2014/COCO_val2014_000000262148.jpg\","
                        + "\"question\":\"Is it raining?\",\"answers\":[\"yes\",\"yes\",\"yes\",\"yes\",\"yes\",\"yes\",\"yes\","
                        + "\"yes\",\"no\",\"yes\"],\"family\":\"vqav2\",\"subset\":\"yes/no\"}",
                "{\"id\":\"vqav2-393225000\",\"image\":\"../vqav2/val2014/COCO_val2014_000000393225.jpg\","
                        + "\"question\":\"How many bowls are on the table?\",\"answers\":[\"2\",\"2\",\"2\",\"two\",\"2\",\"3\","
                        + "\"2\",\"2\",\"2\",\"2\"],\"family\":\"vqav2\",\"subset\":\"number\"}");
    }

    @Test
    void textvqa() throws IOException {
        Path root = Fixtures.copy("textvqa", dir);
        Path out = dir.resolve("out/textvqa.jsonl");
        CliRun r = run("data", "textvqa", "--questions", root.resolve("TextVQA_0.5.1_val.json").toString(),
                "--images", root.resolve("train_images").toString(), "--out", out.toString(), "--limit", "1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote 1 textvqa samples to " + out + "\n", r.out());
        assertJsonl(out,
                "{\"id\":\"textvqa-34602\",\"image\":\"../textvqa/train_images/0054c91397f2fe05.jpg\","
                        + "\"question\":\"what brand is the soda?\",\"answers\":[\"coca cola\",\"coca cola\",\"coke\","
                        + "\"coca-cola\",\"coca cola\",\"cola\",\"coca cola\",\"coke\",\"coca cola\",\"coca cola\"],"
                        + "\"family\":\"textvqa\"}");
    }

    @Test
    void popeWithSeveralFiles() throws IOException {
        Path root = Fixtures.copy("pope", dir);
        Path out = dir.resolve("out/pope.jsonl");
        CliRun r = run("data", "pope", "--questions", root.resolve("coco_pope_random.json").toString(),
                root.resolve("coco_pope_popular.json").toString(), "--questions", root.resolve("coco_pope_adversarial.json").toString(),
                "--images", root.resolve("val2014").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote 6 pope samples (adversarial=2, popular=2, random=2) to " + out + "\n", r.out());
        String[] lines = lines(out);
        assertEquals(6, lines.length);
        assertEquals("{\"id\":\"pope-random-1\",\"image\":\"../pope/val2014/COCO_val2014_000000310196.jpg\","
                + "\"question\":\"Is there a snowboard in the image?\",\"answers\":[\"yes\"],\"family\":\"pope\","
                + "\"subset\":\"random\"}", lines[0]);
        assertEquals("{\"id\":\"pope-popular-2\",\"image\":\"../pope/val2014/COCO_val2014_000000210789.jpg\","
                + "\"question\":\"Is there a chair in the image?\",\"answers\":[\"no\"],\"family\":\"pope\","
                + "\"subset\":\"popular\"}", lines[3]);
        assertEquals("{\"id\":\"pope-adversarial-2\",\"image\":\"../pope/val2014/COCO_val2014_000000210789.jpg\","
                + "\"question\":\"Is there a fork in the image?\",\"answers\":[\"no\"],\"family\":\"pope\","
                + "\"subset\":\"adversarial\"}", lines[5]);
        assertEquals(6, JsonlDataset.read(out).size());
    }

    @Test
    void vsr() throws IOException {
        Path root = Fixtures.copy("vsr", dir);
        Path out = dir.resolve("out/vsr.jsonl");
        CliRun r = run("data", "vsr", "--questions", root.resolve("test.jsonl").toString(),
                "--images", root.resolve("images").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote 3 vsr samples (left of=2, on top of=1) to " + out + "\n", r.out());
        assertJsonl(out,
                "{\"id\":\"vsr-test-1\",\"image\":\"../vsr/images/000000085637.jpg\","
                        + "\"question\":\"The cat is left of the laptop.\","
                        + "\"answers\":[\"True\"],\"family\":\"vsr\",\"subset\":\"left of\",\"candidates\":[\"True\",\"False\"]}",
                "{\"id\":\"vsr-test-2\",\"image\":\"../vsr/images/000000085637.jpg\","
                        + "\"question\":\"The laptop is on top of the cat.\","
                        + "\"answers\":[\"False\"],\"family\":\"vsr\",\"subset\":\"on top of\",\"candidates\":[\"True\",\"False\"]}",
                "{\"id\":\"vsr-test-3\",\"image\":\"../vsr/images/000000412104.jpg\","
                        + "\"question\":\"The dog is left of the bench.\","
                        + "\"answers\":[\"True\"],\"family\":\"vsr\",\"subset\":\"left of\",\"candidates\":[\"True\",\"False\"]}");
    }

    @Test
    void vizwiz() throws IOException {
        Path root = Fixtures.copy("vizwiz", dir);
        Path out = dir.resolve("out/vizwiz.jsonl");
        CliRun r = run("data", "vizwiz", "--questions", root.resolve("val.json").toString(),
                "--images", root.resolve("val").toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote 3 vizwiz samples (other=1, unanswerable=1, yes/no=1) to " + out + "\n", r.out());
        String[] lines = lines(out);
        assertEquals(3, lines.length);
        assertEquals("{\"id\":\"vizwiz-VizWiz_val_00000002\",\"image\":\"../vizwiz/val/VizWiz_val_00000002.jpg\","
                + "\"question\":\"Is the light on?\",\"answers\":[\"no\",\"no\",\"no\",\"no\",\"no\",\"no\",\"no\",\"no\","
                + "\"no\",\"no\"],\"family\":\"vizwiz\",\"subset\":\"yes/no\"}", lines[2]);
        assertEquals(3, JsonlDataset.read(out).size());
    }

    @Test
    void missingImagesFailByDefaultAndAreCountedWhenAllowed() throws IOException {
        Path root = Fixtures.copy("gqa", dir);
        Files.delete(root.resolve("images/n161313.jpg"));
        Path out = dir.resolve("out/gqa.jsonl");
        String[] args = {"data", "gqa", "--questions", root.resolve("testdev_balanced_questions.json").toString(),
                "--images", root.resolve("images").toString(), "--out", out.toString()};
        CliRun fail = run(args);
        assertEquals(1, fail.exit());
        assertTrue(fail.err().startsWith("dtp: error: " + root.resolve("testdev_balanced_questions.json")
                + ": question '20968379': image file not found: "), fail.err());
        assertTrue(fail.err().contains("--allow-missing-images"), fail.err());
        assertFalse(Files.exists(out));

        CliRun skip = run(append(args, "--allow-missing-images"));
        assertEquals(0, skip.exit(), skip.err());
        assertEquals("wrote 1 gqa samples (choose=1) to " + out + "; skipped 2 with missing images\n", skip.out());
        assertEquals(1, JsonlDataset.read(out).size());
    }

    @Test
    void errorsAreOneLineAndNameTheFile() throws IOException {
        Path root = Fixtures.copy("vsr", dir);
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"image\": \"000000085637.jpg\", \"label\": 1}\n");
        CliRun r = run("data", "vsr", "--questions", bad.toString(), "--images", root.resolve("images").toString(),
                "--out", dir.resolve("out/x.jsonl").toString());
        assertEquals(1, r.exit());
        assertEquals("dtp: error: " + bad + ":1: missing field 'caption'\n", r.err());

        CliRun missing = run("data", "vsr", "--questions", dir.resolve("none.jsonl").toString(),
                "--images", root.resolve("images").toString(), "--out", dir.resolve("out/x.jsonl").toString());
        assertEquals(1, missing.exit());
        assertEquals("dtp: error: " + dir.resolve("none.jsonl") + ": file not found\n", missing.err());

        CliRun limit = run("data", "vsr", "--questions", root.resolve("test.jsonl").toString(),
                "--images", root.resolve("images").toString(), "--out", dir.resolve("out/x.jsonl").toString(), "--limit", "0");
        assertEquals(2, limit.exit());
        assertTrue(limit.err().startsWith("dtp: error: --limit must be >= 1: 0"), limit.err());

        CliRun noAnnotations = run("data", "vqav2", "--questions", "q.json", "--images", ".", "--out", "x.jsonl");
        assertEquals(2, noAnnotations.exit());
        assertTrue(noAnnotations.err().contains("--annotations"), noAnnotations.err());

        CliRun none = run("data");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("shapesvqa, gqa, vqav2, textvqa, pope, vsr, vizwiz"), none.err());
    }

    private static String[] append(String[] args, String extra) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = extra;
        return all;
    }
}
