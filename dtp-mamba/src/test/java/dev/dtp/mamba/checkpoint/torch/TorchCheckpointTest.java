package dev.dtp.mamba.checkpoint.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PyTorch checkpoints written by tools/make_fake_checkpoints.py (real torch.save output: Cobra's
 * and RoboMamba's key nesting, F32/BF16 storages, deflated and zip64 archives, views into shared
 * storages), read in Java and compared with the values torch itself recorded in reference.json.
 */
class TorchCheckpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"cobra_fake_f32.pt", "cobra_fake_bf16.pt", "cobra_fake_deflated.pt", "cobra_fake_zip64.pt",
            "robomamba_fake.pth", "views.pt"})
    void everyTensorMatchesWhatTorchRecorded(String file) {
        JsonObject expected = TorchFixtures.tensorsOf(file);
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TorchFixtures.path(file))) {
            Map<String, TorchTensor> tensors = ckpt.tensors();
            assertEquals(expected.keySet(), tensors.keySet(), file);
            for (String name : expected.keySet()) {
                JsonObject e = expected.getAsJsonObject(name);
                TorchTensor t = tensors.get(name);
                assertArrayEquals(longs(e.getAsJsonArray("shape")), t.shape(), name);
                assertArrayEquals(longs(e.getAsJsonArray("stride")), t.stride(), name);
                assertEquals(e.get("storage_offset").getAsLong(), t.storageOffset(), name);
                assertEquals(e.get("dtype").getAsString(), t.dtype().torchName(), name);
                if (!t.dtype().readableAsFloat()) { // e.g. int64: refused with a clear message
                    TorchCheckpointException refused = assertThrows(TorchCheckpointException.class, t::toFloatArray);
                    assertTrue(refused.getMessage().contains(t.dtype().torchName()), refused.getMessage());
                    continue;
                }
                float[] values = t.toFloatArray();
                // torch's float32 bit patterns of the (widened) values: exact equality
                if (e.get("float32_bits").isJsonArray()) { // recorded for small tensors
                    JsonArray bits = e.getAsJsonArray("float32_bits");
                    assertEquals(bits.size(), values.length, name);
                    for (int i = 0; i < values.length; i++) {
                        assertEquals(bits.get(i).getAsInt(), Float.floatToRawIntBits(values[i]), name + "[" + i + "]");
                    }
                }
                JsonArray first = e.has("first") && e.get("first").isJsonArray() ? e.getAsJsonArray("first") : new JsonArray();
                for (int i = 0; i < first.size(); i++) {
                    assertEquals((float) first.get(i).getAsDouble(), values[i], name + " first[" + i + "]");
                }
                double sum = 0;
                for (float v : values) {
                    sum += v;
                }
                if (e.get("sum").isJsonNull()) { // special values (±Inf, NaN): the bit patterns above decide
                    continue;
                }
                assertEquals(e.get("sum").getAsDouble(), sum, 1e-4 * Math.max(1, e.get("abs_sum").getAsDouble()), name);
            }
        }
    }

    @Test
    void tiedTensorsShareTheirStorage() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TorchFixtures.path("cobra_fake_f32.pt"))) {
            TorchTensor embedding = ckpt.tensor("model.llm_backbone.llm.backbone.embedding.weight");
            TorchTensor head = ckpt.tensor("model.llm_backbone.llm.lm_head.weight");
            assertTrue(embedding.sharesStorageWith(head));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"malicious_os_system.pt", "malicious_nested.pt"})
    void picklesThatCallArbitraryCodeAreRefusedWithoutRunningIt(String file) throws Exception {
        Path marker = Path.of(TorchFixtures.reference().get("malicious_marker").getAsString());
        Files.deleteIfExists(marker);
        UnsafePickleException e = assertThrows(UnsafePickleException.class,
                () -> TorchCheckpoint.open(TorchFixtures.path(file)).close());
        assertTrue(e.getMessage().contains(file), e.getMessage());
        assertFalse(Files.exists(marker), "the pickle's payload ran");
    }

    @Test
    void notAnArchiveIsAClearError() throws Exception {
        Path junk = Files.createTempFile("junk", ".pt");
        Files.writeString(junk, "this is not a zip archive");
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(junk).close());
        assertTrue(e.getMessage().contains(junk.getFileName().toString()), e.getMessage());
        Files.delete(junk);
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }
}
