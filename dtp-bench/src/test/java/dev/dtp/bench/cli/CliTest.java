package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.generate.Sampler;
import dev.dtp.core.policy.Dtp;
import dev.dtp.fixtures.TinyModel;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.RandomMambaCheckpoint;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.model.MambaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the command line in-process on a tiny model and checks its output against the library API. */
class CliTest {
    @TempDir
    static Path dir;

    static TinyModel tiny;

    @BeforeAll
    static void create() {
        tiny = TinyModel.create(dir.resolve("model"), TinyModel.depth(8));
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static float[] floats(JsonArray a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
        }
        return v;
    }

    @Test
    void logitsWritesTheContractFieldsAndMatchesTheLibrary() throws Exception {
        Path out = dir.resolve("logits.json");
        CliRun r = run("logits", "--model", tiny.dir().toString(), "--ids", "3,17,42", "--greedy", "2", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        assertEquals(tiny.config().vocabSize(), o.getAsJsonArray("logits").size()); // the unpadded vocabulary
        assertEquals(8, o.getAsJsonArray("importance").size());
        assertEquals(3, o.getAsJsonArray("importance").get(0).getAsJsonArray().size());
        assertEquals(8, o.getAsJsonArray("kept").size());
        assertEquals(2, o.getAsJsonArray("greedy").size());
        try (Prefill p = tiny.model().prefill(ModelInput.ofIds(3, 17, 42), PruningPolicy.none(), PrefillOptions.DEFAULT)) {
            assertArrayEquals(p.logits(), floats(o.getAsJsonArray("logits")));
            int first = o.getAsJsonArray("greedy").get(0).getAsInt();
            int second = o.getAsJsonArray("greedy").get(1).getAsInt();
            assertEquals(Sampler.argmax(p.logits()), first);
            float[] afterFirst = p.decode(first);
            assertEquals(Sampler.argmax(afterFirst), second);
            assertArrayEquals(p.decode(second), floats(o.getAsJsonArray("logits_after_greedy")));
        }
    }

    @Test
    void logitsWithEmbedsAndAPolicyShowsWhatWasKept() throws Exception {
        float[] rows = new float[12 * 16];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) Math.sin(i);
        }
        Path embeds = dir.resolve("embeds.safetensors");
        SafetensorsWriter.write(embeds, List.of(SafetensorsWriter.Tensor.of("embeds", DType.F32, rows, 12, 16)));
        Path out = dir.resolve("pruned.json");
        CliRun r = run("logits", "--model", tiny.dir().toString(), "--ids", "5,6,7", "--embeds", embeds.toString(),
                "--visual-at", "1", "--policy", "dtp:early=2,r=0.5,late=5", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        JsonArray kept = o.getAsJsonArray("kept");
        assertEquals(15, kept.get(1).getAsJsonArray().size()); // all 15 tokens before the early layer
        assertEquals(3 + 6, kept.get(2).getAsJsonArray().size()); // 6 of 12 visual kept at layer 2
        assertEquals(3, kept.get(5).getAsJsonArray().size()); // only text from layer 5
        assertEquals(0, kept.get(5).getAsJsonArray().get(0).getAsInt());
        assertEquals(13, kept.get(5).getAsJsonArray().get(1).getAsInt()); // ids[1] sits after the 12 visual rows
        assertEquals(15, o.getAsJsonArray("importance").get(2).getAsJsonArray().size());
        assertEquals(9, o.getAsJsonArray("importance").get(3).getAsJsonArray().size());
        try (NDManager m = NDManager.newBaseManager()) {
            ModelInput input = ModelInput.builder().text(5)
                    .visual(m.create(rows, new Shape(12, 16))).text(6, 7).build();
            try (Prefill p = tiny.model().prefill(input, new Dtp(2, 0.5, 5), PrefillOptions.DEFAULT)) {
                assertArrayEquals(p.logits(), floats(o.getAsJsonArray("logits")));
            }
        }
    }

    @Test
    void errorsAreOneLineWithoutStackTraces() {
        CliRun missing = run("logits", "--model", dir.resolve("nowhere").toString(), "--ids", "1", "--out", "x.json");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("dtp: error: "), missing.err());
        assertTrue(missing.err().contains("nowhere"), missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());

        CliRun badPolicy = run("logits", "--model", tiny.dir().toString(), "--ids", "1", "--policy", "dtp:r=2", "--out", "x.json");
        assertEquals(1, badPolicy.exit());
        assertTrue(badPolicy.err().contains("outside (0, 1]"), badPolicy.err());

        CliRun badId = run("logits", "--model", tiny.dir().toString(), "--ids", "1,999", "--out", dir.resolve("y.json").toString());
        assertEquals(1, badId.exit());
        assertTrue(badId.err().contains("token id 999 at position 1"), badId.err());

        CliRun usage = run("logits", "--ids", "1");
        assertEquals(2, usage.exit());
        assertTrue(usage.err().startsWith("dtp: error: "), usage.err());

        CliRun unknown = run("frobnicate");
        assertEquals(2, unknown.exit());
    }

    @Test
    void flopsJsonHasTheContractFields() {
        CliRun r = run("flops", "--card", Path.of("..", "models", "cobra-3b.json").toString(), "--visual", "729", "--text", "31",
                "--policy", "vtw:k=45", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(0.71, o.get("ratio").getAsDouble(), 0.02); // the paper's Table 1
        assertEquals(o.get("macs").getAsDouble() / o.get("baseline_macs").getAsDouble(), o.get("ratio").getAsDouble(), 1e-12);
    }

    @Test
    void benchJsonHasTheContractFields() {
        CliRun r = run("bench", "--model", tiny.dir().toString(), "--visual", "20", "--text", "4", "--policies",
                "dtp:early=2,r=0.5,late=5,vtw:k=4", "--runs", "1", "--warmup", "0", "--decode", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonArray rows = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals("none", rows.get(0).getAsJsonObject().get("policy").getAsString());
        JsonObject dtp = rows.get(1).getAsJsonObject();
        assertEquals("dtp:early=2,r=0.5,late=5", dtp.get("policy").getAsString());
        for (String field : List.of("prefill_ms_median", "flops_ratio", "decode_tokens_per_s")) {
            assertTrue(dtp.has(field), field);
        }
        assertTrue(dtp.get("flops_ratio").getAsDouble() < 1);
        assertEquals("vtw:k=4", rows.get(2).getAsJsonObject().get("policy").getAsString());
    }

    @Test
    void benchThroughputTimesBothDecodeKernelsAgainstTheReadBandwidth() {
        CliRun r = run("bench", "--shape", "layers=2,d_model=64,vocab=1000", "--lengths", "8", "--runs", "1", "--warmup", "0",
                "--decode", "2", "--weights", "int8", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject row = JsonParser.parseString(r.out()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("int8", row.get("weights").getAsString());
        assertEquals("fused", row.get("decode_kernel").getAsString());
        for (String field : List.of("decode_tokens_per_s", "decode_ndarray_tokens_per_s", "decode_weight_mb_per_token",
                "read_gb_per_s", "decode_gb_per_s", "decode_limit_ratio")) {
            assertTrue(row.get(field).getAsDouble() > 0, field + " = " + row.get(field));
        }
        // bytes per token × tokens/s, against the read rate: the ratio is what it says
        double ratio = row.get("decode_gb_per_s").getAsDouble() / row.get("read_gb_per_s").getAsDouble();
        assertEquals(ratio, row.get("decode_limit_ratio").getAsDouble(), 0.01 + 0.01 * ratio);
    }

    @Test
    void benchPolicyModeCanLeaveTheWrapperPairsOut() {
        CliRun r = run("bench", "--model", tiny.dir().toString(), "--visual", "20", "--text", "4", "--policies",
                "none,dtp:early=2,r=0.5,late=5", "--runs", "1", "--warmup", "0", "--decode", "1", "--wrapper-pairs", "0",
                "--json");
        assertEquals(0, r.exit(), r.err());
        JsonArray rows = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(2, rows.size(), r.out()); // none and dtp, no wrapper row
        JsonObject none = rows.get(0).getAsJsonObject();
        assertEquals("f32", none.get("weights").getAsString());
        assertTrue(none.get("load_s").getAsDouble() >= 0 && none.get("weight_mb").getAsLong() >= 0, none.toString());
    }

    @Test
    void benchBatchSizesTimesTheFusedBatchAgainstTheStackedOne() {
        CliRun r = run("bench", "--shape", "layers=2,d_model=64,vocab=1000", "--text", "4", "--batch-sizes", "1,3",
                "--decode", "3", "--runs", "1", "--warmup", "0", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonArray rows = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(2, rows.size(), r.out());
        JsonObject one = rows.get(0).getAsJsonObject();
        JsonObject three = rows.get(1).getAsJsonObject();
        assertEquals(1, one.get("batch").getAsInt());
        assertEquals(1.0, one.get("over_batch_1").getAsDouble(), 1e-9);
        assertTrue(!one.has("ndarray_batch_tokens_per_s"), "a batch of one has no stacked step: " + one);
        for (String field : List.of("decode_tokens_per_s", "over_batch_1", "fused_batch_tokens_per_s",
                "ndarray_batch_tokens_per_s", "fused_over_ndarray")) {
            assertTrue(three.get(field).getAsDouble() > 0, field + " = " + three.get(field));
        }
        assertEquals("fused", three.get("batch_kernel").getAsString()); // three sequences: the fused batch by default
        assertEquals(three.get("fused_batch_tokens_per_s").getAsDouble(), three.get("decode_tokens_per_s").getAsDouble(), 1e-9);
        double ratio = three.get("fused_batch_tokens_per_s").getAsDouble()
                / three.get("ndarray_batch_tokens_per_s").getAsDouble();
        assertEquals(ratio, three.get("fused_over_ndarray").getAsDouble(), 0.01 + 0.01 * ratio);
    }

    @Test
    void randomWritesTheWeightsTheBenchDrawsInMemory() {
        Path out = dir.resolve("random");
        CliRun r = run("random", "--shape", "layers=2,d_model=32,vocab=100", "--seed", "5", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        MambaConfig shape = MambaConfig.of(32, 2, 100);
        try (NDManager root = NDManager.newBaseManager();
                MambaModel written = MambaModel.load(out);
                MambaModel drawn = MambaModel.builder().wrap(RandomMambaCheckpoint.create(shape, 5, root.newSubManager()));
                Prefill a = written.prefill(ModelInput.ofIds(1, 2, 3), PruningPolicy.none(), PrefillOptions.DEFAULT);
                Prefill b = drawn.prefill(ModelInput.ofIds(1, 2, 3), PruningPolicy.none(), PrefillOptions.DEFAULT)) {
            assertEquals(shape.layers(), written.config().layers());
            assertArrayEquals(b.logits(), a.logits());
        }
    }
}
