package dev.dtp.mamba.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.37) * (i + 1);
        }
        return v;
    }

    @Test
    void roundTripsEveryDtype() {
        float[] a = ramp(6);
        float[] b = ramp(35);
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter.write(file, List.of(
                SafetensorsWriter.Tensor.of("a", DType.F32, a, 2, 3),
                SafetensorsWriter.Tensor.of("b.half", DType.F16, b, 5, 7),
                SafetensorsWriter.Tensor.of("b.brain", DType.BF16, b, 35),
                SafetensorsWriter.Tensor.of("empty", DType.F32, new float[0], 0, 4)),
                Map.of("format", "pt"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("a", "b.half", "b.brain", "empty"), List.copyOf(f.tensors().keySet()));
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(new long[] {5, 7}, f.info("b.half").shape());
            assertArrayEquals(a, f.readFloats("a"));
            float[] half = f.readFloats("b.half");
            float[] brain = f.readFloats("b.brain");
            for (int i = 0; i < b.length; i++) {
                assertEquals(b[i], half[i], Math.abs(b[i]) * 0x1p-11 + 1e-7, "F16 " + i);
                assertEquals(b[i], brain[i], Math.abs(b[i]) * 0x1p-8, "BF16 " + i);
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray loaded = f.load("b.half", m);
                assertEquals(DataType.FLOAT32, loaded.getDataType());
                assertArrayEquals(half, loaded.toFloatArray());
                assertEquals(0, f.load("empty", m).size());
            }
        }
    }

    // ---- hostile files: each must give a CheckpointException naming the file and the problem ----

    private Path raw(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path withHeader(String name, String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        return raw(name, buf.array());
    }

    private void assertRejected(Path file, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    @Test
    void readBytesCopiesATensorsRawBytesAsTheMappingHoldsThem() {
        float[] b = ramp(35);
        Path file = dir.resolve("raw.safetensors");
        SafetensorsWriter.write(file, List.of(SafetensorsWriter.Tensor.of("a", DType.F32, ramp(6), 2, 3),
                SafetensorsWriter.Tensor.of("b", DType.F16, b, 5, 7)), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : List.of("a", "b")) {
                ByteBuffer mapped = f.bytes(name);
                byte[] expected = new byte[mapped.remaining()];
                mapped.get(expected);
                byte[] read = new byte[expected.length];
                f.readBytes(name, read);
                assertArrayEquals(expected, read, name);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.readBytes("b", new byte[3]));
            assertTrue(e.getMessage().contains("tensor 'b' has 70 bytes"), e.getMessage());
        }
    }

    @Test
    void rejectsEmptyAndTruncatedFiles() throws IOException {
        assertRejected(raw("empty.safetensors", new byte[0]), "truncated");
        assertRejected(raw("short.safetensors", new byte[5]), "truncated");
        assertRejected(dir.resolve("absent.safetensors"), "not found");
    }

    @Test
    void rejectsHeaderLongerThanFile() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        assertRejected(raw("long.safetensors", buf.array()), "header length 1000");
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
        assertRejected(raw("huge.safetensors", huge.array()), "header length");
    }

    @Test
    void rejectsHeaderThatIsNotAJsonObject() throws IOException {
        assertRejected(withHeader("notjson.safetensors", "{not json", 0), "not valid JSON");
        assertRejected(withHeader("array.safetensors", "[1, 2, 3]", 0), "not a JSON object");
        assertRejected(withHeader("entry.safetensors", "{\"a\": 3}", 0), "tensor 'a'", "not an object");
        assertRejected(withHeader("trail.safetensors", "{} {}", 0), "JSON");
    }

    @Test
    void rejectsOffsetsOutOfBoundsOverlappingOrUnordered() throws IOException {
        assertRejected(withHeader("oob.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "run past the end");
        assertRejected(withHeader("overlap.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(withHeader("unordered.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "unordered");
        assertRejected(withHeader("hole.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "belong to no tensor");
        assertRejected(withHeader("extra.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "belong to no tensor");
    }

    @Test
    void rejectsUnknownDtypeShapeMismatchAndDuplicates() throws IOException {
        assertRejected(withHeader("dtype.safetensors",
                "{\"a\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "unsupported dtype 'I16'");
        assertRejected(withHeader("size.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16), "tensor 'a'", "needs 12 bytes");
        assertRejected(withHeader("neg.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "negative");
        assertRejected(withHeader("dup.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "'a' appears twice");
        assertRejected(withHeader("missing.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
                "needs 'dtype', 'shape' and 'data_offsets'");
    }
}
