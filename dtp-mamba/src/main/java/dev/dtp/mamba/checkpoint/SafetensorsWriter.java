package dev.dtp.mamba.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.stream.JsonWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes safetensors files. Tensors are produced one at a time by their suppliers and streamed to
 * disk, so a file far larger than the heap can be written. The file appears atomically (written to
 * a temporary sibling, then moved).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /**
     * A tensor to write: either {@code values}, produced as float32 (row-major) and stored as
     * {@code dtype}, or {@code bytes}, the tensor's little-endian bytes in {@code dtype} written as they
     * are (how I8 tensors and verbatim copies are given); the other is null.
     */
    public record Tensor(String name, DType dtype, long[] shape, Supplier<float[]> values, Supplier<ByteBuffer> bytes) {
        public Tensor {
            shape = shape.clone();
            if ((values == null) == (bytes == null)) {
                throw new IllegalArgumentException("tensor '" + name + "': give either float values or bytes");
            }
            if (dtype == DType.I8 && values != null) {
                throw new IllegalArgumentException("tensor '" + name + "': I8 tensors are written from their bytes");
            }
        }

        public Tensor(String name, DType dtype, long[] shape, Supplier<float[]> values) {
            this(name, dtype, shape, values, null);
        }

        /** A tensor whose little-endian bytes in {@code dtype} are written unchanged. */
        public static Tensor raw(String name, DType dtype, long[] shape, Supplier<ByteBuffer> bytes) {
            return new Tensor(name, dtype, shape, null, bytes);
        }

        public static Tensor of(String name, DType dtype, float[] values, long... shape) {
            return new Tensor(name, dtype, shape, () -> values);
        }

        /** Copies an NDArray (any float dtype) as float32 values when written. */
        public static Tensor of(String name, DType dtype, NDArray array) {
            return new Tensor(name, dtype, array.getShape().getShape(),
                    () -> array.toType(DataType.FLOAT32, false).toFloatArray());
        }

        long elementCount() {
            long n = 1;
            for (long s : shape) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }
    }

    public static void write(Path file, List<Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) {
        Set<String> names = new HashSet<>();
        for (Tensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' given twice");
            }
            if (t.name().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is not a tensor name");
            }
        }
        byte[] header = header(tensors, metadata);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                out.write(length.array());
                out.write(header);
                for (Tensor t : tensors) {
                    writeValues(out, t);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointException(file + ": cannot write: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) { // e.g. a tensor that could not be produced: no half-written file stays
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // report the original failure
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes as the format recommends. */
    private static byte[] header(List<Tensor> tensors, Map<String, String> metadata) {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name("__metadata__").beginObject();
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    json.name(e.getKey()).value(e.getValue());
                }
                json.endObject();
            }
            long offset = 0;
            for (Tensor t : tensors) {
                long bytes = t.elementCount() * t.dtype().bytes();
                json.name(t.name()).beginObject();
                json.name("dtype").value(t.dtype().name());
                json.name("shape").beginArray();
                for (long s : t.shape()) {
                    json.value(s);
                }
                json.endArray();
                json.name("data_offsets").beginArray().value(offset).value(offset + bytes).endArray();
                json.endObject();
                offset += bytes;
            }
            json.endObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder padded = new StringBuilder(text.toString());
        while (padded.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            padded.append(' ');
        }
        return padded.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeValues(OutputStream out, Tensor t) throws IOException {
        if (t.bytes() != null) {
            writeBytes(out, t);
            return;
        }
        float[] values = t.values().get();
        if (values.length != t.elementCount()) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': " + values.length
                    + " values for shape " + Arrays.toString(t.shape()));
        }
        int chunk = 1 << 16;
        ByteBuffer buffer = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < values.length; from += chunk) {
            int to = Math.min(values.length, from + chunk);
            buffer.clear();
            for (int i = from; i < to; i++) {
                switch (t.dtype()) {
                    case F32 -> buffer.putFloat(values[i]);
                    case F16 -> buffer.putShort(HalfFloats.floatToF16(values[i]));
                    case BF16 -> buffer.putShort(HalfFloats.floatToBf16(values[i]));
                    case I8 -> throw new IllegalStateException("I8 tensors are written from their bytes");
                }
            }
            out.write(buffer.array(), 0, buffer.position());
        }
    }

    private static void writeBytes(OutputStream out, Tensor t) throws IOException {
        ByteBuffer bytes = t.bytes().get().duplicate();
        long expected = t.elementCount() * t.dtype().bytes();
        if (bytes.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': " + bytes.remaining() + " bytes for shape "
                    + Arrays.toString(t.shape()) + " of " + t.dtype() + ", which needs " + expected);
        }
        byte[] chunk = new byte[(int) Math.min(1 << 20, Math.max(1, expected))];
        while (bytes.hasRemaining()) {
            int n = Math.min(chunk.length, bytes.remaining());
            bytes.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
