package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dtp convert --weights int8} end to end: a random model directory converted to pre-quantised
 * int8 weights gives {@code dtp logits --weights int8} the same JSON (prefill logits, Δ importance,
 * greedy tokens) as quantising the float32 directory at load, and bad input is one named error.
 */
class ConvertInt8CommandTest {
    static final String SHAPE = "layers=2,d_model=64,vocab=200";

    @TempDir
    Path dir;

    @Test
    void aConvertedDirectoryAnswersAsQuantisingAtLoad() throws Exception {
        Path f32 = dir.resolve("f32");
        Path q8 = dir.resolve("q8");
        ConvertCommandTest.run("random", "--shape", SHAPE, "--seed", "4", "--out", f32.toString());
        CliRun convert = CliRun.of("convert", "--model", f32.toString(), "--weights", "int8", "--out", q8.toString());
        assertEquals(0, convert.exit(), convert.err());
        // the (tied) embedding + in_proj, x_proj and out_proj of 2 layers
        assertTrue(convert.out().contains("7 matrices as Q8_0 int8") && convert.out().contains("1.125 bytes a weight"),
                convert.out());
        // 1.125 bytes a weight for the matrices, 4 for the rest (11 % of the weights at this tiny shape)
        assertTrue(Files.size(q8.resolve("model.safetensors")) < 0.4 * Files.size(f32.resolve("model.safetensors")));

        String atLoad = logits(f32, "int8");
        assertEquals(atLoad, logits(q8, "int8"));
        String dequantised = logits(q8, "f32"); // float32 from the int8 values: another model, close to int8
        assertNotEquals(atLoad, dequantised);
    }

    @Test
    void badInputIsOneNamedError() throws Exception {
        Path f32 = dir.resolve("f32");
        ConvertCommandTest.run("random", "--shape", SHAPE, "--seed", "1", "--out", f32.toString());

        CliRun noFormat = CliRun.of("convert", "--model", f32.toString(), "--out", dir.resolve("a").toString());
        assertEquals(2, noFormat.exit());
        assertTrue(noFormat.err().contains("add --weights int8"), noFormat.err());

        CliRun both = CliRun.of("convert", "cobra", "--model", f32.toString(), "--weights", "int8", "--out",
                dir.resolve("b").toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("--model converts a model directory"), both.err());

        String tensor = "backbone.layers.1.mixer.in_proj.weight";
        Path broken = withNaN(f32, tensor, 70);
        Path out = dir.resolve("c");
        CliRun nan = CliRun.of("convert", "--model", broken.toString(), "--weights", "int8", "--out", out.toString());
        assertNotEquals(0, nan.exit());
        assertTrue(nan.err().contains("'" + tensor + "' holds NaN at [1, 6]"), nan.err()); // rows of d_model 64
        assertFalse(Files.exists(out));

        // the committed Cobra fake is 16 wide: converted to float32 on the way, then refused, nothing left behind
        Path parent = Files.createDirectories(dir.resolve("from-pt"));
        CliRun narrow = CliRun.of("convert", "cobra", "--checkpoint",
                ConvertCommandTest.TORCH.resolve("cobra_fake_f32.pt").toString(), "--vision", "none", "--weights", "int8",
                "--out", parent.resolve("cobra").toString());
        assertNotEquals(0, narrow.exit());
        assertTrue(narrow.err().contains("'backbone.embeddings.weight' has rows of 16 values"), narrow.err());
        try (var left = Files.list(parent)) {
            assertEquals(List.of(), left.toList());
        }
    }

    private String logits(Path model, String weights) throws Exception {
        Path json = dir.resolve(model.getFileName() + "-" + weights + ".json");
        ConvertCommandTest.run("logits", "--model", model.toString(), "--weights", weights, "--ids", "5,17,3,99",
                "--greedy", "4", "--out", json.toString());
        return Files.readString(json);
    }

    /** A copy of {@code model} with value {@code index} of {@code tensor} set to NaN. */
    private Path withNaN(Path model, String tensor, int index) throws Exception {
        Path out = dir.resolve("nan");
        Files.createDirectories(out);
        Files.copy(model.resolve("config.json"), out.resolve("config.json"));
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("model.safetensors"))) {
            for (SafetensorsFile.TensorInfo info : f.tensors().values()) {
                float[] v = f.readFloats(info.name());
                if (info.name().equals(tensor)) {
                    v[index] = Float.NaN;
                }
                tensors.add(SafetensorsWriter.Tensor.of(info.name(), DType.F32, v, info.shape()));
            }
        }
        SafetensorsWriter.write(out.resolve("model.safetensors"), tensors);
        return out;
    }
}
