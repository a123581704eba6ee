package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesJsonlAndImagesForTheSplit() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new DataCommand());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("shapesvqa", "--split", "validation", "--seed", "3", "--count", "10",
                "--out", dir.toString(), "--image-size", "48");
        assertEquals(0, code);
        List<EvalSample> samples = JsonlDataset.read(dir.resolve("shapesvqa-validation.jsonl"));
        assertEquals(10, samples.size());
        assertEquals(dir.resolve("images/validation-000000.png"), samples.get(0).image());
        assertEquals(48, ImageIO.read(samples.get(0).image().toFile()).getWidth());
        assertEquals(10, Files.list(dir.resolve("images")).count());
        assertTrue(out.toString().startsWith("wrote 10 validation samples (attribute=2, existence=2"), out.toString());
    }

    @Test
    void rejectsUnknownSplitAndMissingOptions() {
        CommandLine cli = new CommandLine(new DataCommand());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("shapesvqa", "--split", "dev", "--seed", "1", "--count", "1", "--out", dir.toString()));
        assertEquals(2, cli.execute("shapesvqa", "--split", "train", "--count", "1", "--out", dir.toString()));
        assertEquals(2, cli.execute("shapesvqa", "--split", "train", "--seed", "1", "--count", "1",
                "--out", dir.toString(), "--image-size", "8"));
        assertEquals(2, cli.execute());
    }
}
