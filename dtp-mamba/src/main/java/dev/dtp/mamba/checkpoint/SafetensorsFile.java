package dev.dtp.mamba.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A safetensors file read through memory mapping: an 8-byte little-endian header length, a JSON
 * header mapping tensor names to {dtype, shape, data_offsets}, then the tensor bytes. The header is
 * validated completely when the file is opened; tensor bytes are mapped only when a tensor is read,
 * one tensor at a time, so a multi-gigabyte checkpoint never passes through the Java heap.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header we accept; real headers are a few hundred kilobytes. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** Bytes per positional read into a heap array (the JDK stages each through a direct buffer this large). */
    private static final int READ_CHUNK = 8 << 20;

    /** One tensor's header entry; {@code begin} and {@code end} are absolute file offsets. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long elementCount() {
            long n = 1;
            for (long s : shape) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }

        public Shape djlShape() {
            return new Shape(shape);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; throws {@link CheckpointException} naming the file and the problem. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path + ": file not found");
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(path + ": truncated: " + size + " bytes, but the header length alone needs 8");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, path);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > size - 8) {
                throw new CheckpointException(path + ": header length " + Long.toUnsignedString(headerLength)
                        + " does not fit in a file of " + size + " bytes");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new CheckpointException(path + ": header length " + headerLength + " exceeds the "
                        + MAX_HEADER_BYTES + "-byte limit");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, path);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(headerBytes.flip())
                        .toString();
            } catch (CharacterCodingException e) {
                throw new CheckpointException(path + ": header is not valid UTF-8");
            }
            long dataStart = 8 + headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, json, dataStart, size - dataStart, metadata);
            return new SafetensorsFile(path, channel, tensors, metadata);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Parses and validates the JSON header. Package-private so the header parser can be tested
     * and fuzzed without files.
     */
    static Map<String, TensorInfo> parseHeader(Path path, String json, long dataStart, long dataLength,
            Map<String, String> metadataOut) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setLenient(false);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new CheckpointException(path + ": header is not a JSON object");
            }
            reader.beginObject();
            boolean sawMetadata = false;
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (name.equals("__metadata__")) {
                    if (sawMetadata) {
                        throw new CheckpointException(path + ": header has '__metadata__' twice");
                    }
                    sawMetadata = true;
                    readMetadata(path, reader, metadataOut);
                    continue;
                }
                if (tensors.containsKey(name)) {
                    throw new CheckpointException(path + ": tensor '" + name + "' appears twice in the header");
                }
                tensors.put(name, readEntry(path, name, reader, dataStart, dataLength));
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointException(path + ": trailing data after the header's JSON object");
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new CheckpointException(path + ": header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        checkLayout(path, tensors.values(), dataStart, dataLength);
        return Collections.unmodifiableMap(tensors);
    }

    private static void readMetadata(Path path, JsonReader reader, Map<String, String> out) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointException(path + ": '__metadata__' must be an object of strings");
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (reader.peek() != JsonToken.STRING) {
                throw new CheckpointException(path + ": '__metadata__." + key + "' must be a string");
            }
            out.put(key, reader.nextString());
        }
        reader.endObject();
    }

    private static TensorInfo readEntry(Path path, String name, JsonReader reader, long dataStart, long dataLength)
            throws IOException {
        String where = path + ": tensor '" + name + "'";
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointException(where + ": header entry is not an object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            switch (key) {
                case "dtype" -> {
                    if (dtypeName != null || reader.peek() != JsonToken.STRING) {
                        throw new CheckpointException(where + ": 'dtype' must be one string");
                    }
                    dtypeName = reader.nextString();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw new CheckpointException(where + ": 'shape' given twice");
                    }
                    shape = readLongs(reader, where, "shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw new CheckpointException(where + ": 'data_offsets' given twice");
                    }
                    offsets = readLongs(reader, where, "data_offsets");
                }
                default -> throw new CheckpointException(where + ": unknown header key '" + key + "'");
            }
        }
        reader.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw new CheckpointException(where + ": header entry needs 'dtype', 'shape' and 'data_offsets'");
        }
        DType dtype = DType.fromHeader(dtypeName);
        if (dtype == null) {
            throw new CheckpointException(where + ": unsupported dtype '" + dtypeName + "' (supported: F32, F16, BF16, I8)");
        }
        if (offsets.length != 2) {
            throw new CheckpointException(where + ": 'data_offsets' must be [begin, end]");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] are unordered or negative");
        }
        if (end > dataLength) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data (" + dataLength + " bytes)");
        }
        long elements = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new CheckpointException(where + ": negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                elements = Math.multiplyExact(elements, s);
            } catch (ArithmeticException e) {
                throw new CheckpointException(where + ": shape " + Arrays.toString(shape) + " overflows");
            }
        }
        if (elements > Long.MAX_VALUE / dtype.bytes() || elements * dtype.bytes() != end - begin) {
            throw new CheckpointException(where + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + (elements > Long.MAX_VALUE / dtype.bytes() ? "too many" : String.valueOf(elements * dtype.bytes()))
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    private static long[] readLongs(JsonReader reader, String where, String key) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw new CheckpointException(where + ": '" + key + "' must be an array of integers");
        }
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.NUMBER) {
                throw new CheckpointException(where + ": '" + key + "' must be an array of integers");
            }
            String text = reader.nextString();
            try {
                values.add(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new CheckpointException(where + ": '" + key + "' holds " + text + ", not an integer");
            }
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** The data section must be covered exactly once, in any order: no overlaps, holes or trailing bytes. */
    private static void checkLayout(Path path, Collection<TensorInfo> entries, long dataStart, long dataLength) {
        List<TensorInfo> byBegin = new ArrayList<>(entries);
        byBegin.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long cursor = dataStart;
        TensorInfo previous = null;
        for (TensorInfo t : byBegin) {
            if (t.begin() < cursor) {
                throw new CheckpointException(path + ": tensors '" + previous.name() + "' and '" + t.name()
                        + "' overlap in the data section");
            }
            if (t.begin() > cursor) {
                throw new CheckpointException(path + ": " + (t.begin() - cursor) + " data bytes before tensor '"
                        + t.name() + "' belong to no tensor");
            }
            cursor = t.end();
            previous = t;
        }
        if (cursor != dataStart + dataLength) {
            throw new CheckpointException(path + ": the last " + (dataStart + dataLength - cursor)
                    + " data bytes belong to no tensor (truncated header or extra data)");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, Path path) throws IOException {
        readFully(channel, target, position, path, "the header");
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, Path path, String what)
            throws IOException {
        long pos = position;
        while (target.hasRemaining()) {
            int n = channel.read(target, pos);
            if (n < 0) {
                throw new CheckpointException(path + ": truncated while reading " + what);
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to add to the exception already being thrown
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(path + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** The raw little-endian bytes of one tensor, memory-mapped (valid while the mapping is reachable). */
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, info.begin(), info.end() - info.begin())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * One tensor's raw bytes read into {@code target} with positional reads, not through a mapping:
     * nothing of the file stays resident in this process afterwards (a mapping's touched pages count
     * as the process's memory until the mapping is collected). For tensors copied onto the heap.
     */
    public void readBytes(String name, byte[] target) {
        TensorInfo info = info(name);
        long length = info.end() - info.begin();
        if (target.length != length) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + length + " bytes, the target " + target.length);
        }
        try {
            for (long done = 0; done < length; done += READ_CHUNK) {
                int n = (int) Math.min(READ_CHUNK, length - done);
                readFully(channel, ByteBuffer.wrap(target, (int) done, n), info.begin() + done, path,
                        "tensor '" + name + "'");
            }
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** One tensor converted to float32 on the Java heap (for small tensors and tests). */
    public float[] readFloats(String name) {
        TensorInfo info = floatInfo(name);
        if (info.elementCount() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(path + ": tensor '" + name + "' is too large for a Java array");
        }
        float[] out = new float[(int) info.elementCount()];
        convert(bytes(name), info.dtype(), FloatBuffer.wrap(out));
        return out;
    }

    /**
     * One tensor as a float32 NDArray owned by {@code manager}: the bytes go from the mapping
     * straight into native memory that libtorch owns (converted from F16/BF16 on the way), so the
     * manager frees them on close and nothing large touches the Java heap.
     */
    public NDArray load(String name, NDManager manager) {
        TensorInfo info = floatInfo(name);
        return filled(name, info.djlShape(), manager, target -> convert(bytes(name), info.dtype(), target));
    }

    /**
     * A float32 array named {@code name} owned by {@code manager}, its values written by {@code fill}
     * straight into libtorch's memory on the CPU (then moved to the manager's device).
     */
    static NDArray filled(String name, Shape shape, NDManager manager, Consumer<FloatBuffer> fill) {
        NDArray host = manager.create(shape, DataType.FLOAT32, Device.cpu());
        try {
            if (shape.size() > 0) {
                fill.accept(host.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer());
            }
            host.setName(name);
            if (manager.getDevice().equals(host.getDevice())) {
                return host;
            }
            NDArray onDevice = host.toDevice(manager.getDevice(), true);
            host.close();
            return onDevice;
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** The entry of a tensor that holds float values: an I8 tensor is a Q8_0 matrix's quants, not floats. */
    private TensorInfo floatInfo(String name) {
        TensorInfo info = info(name);
        if (info.dtype() == DType.I8) {
            throw new CheckpointException(path + ": tensor '" + name + "' is I8 (the int8 quants of a Q8_0 matrix, "
                    + "written by dtp convert --weights int8); only in_proj, x_proj, out_proj, the embedding and lm_head "
                    + "may be int8, and they are read with their scales");
        }
        return info;
    }

    /** Converts little-endian {@code source} of {@code dtype} into float32, in bounded chunks. */
    static void convert(ByteBuffer source, DType dtype, FloatBuffer target) {
        switch (dtype) {
            case F32 -> target.put(source.asFloatBuffer());
            case F16, BF16 -> {
                ShortBuffer halves = source.asShortBuffer();
                boolean bf16 = dtype == DType.BF16;
                float[] chunk = new float[Math.min(1 << 16, halves.remaining() + 1)];
                while (halves.hasRemaining()) {
                    int n = Math.min(chunk.length, halves.remaining());
                    for (int i = 0; i < n; i++) {
                        short h = halves.get();
                        chunk[i] = bf16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.f16ToFloat(h);
                    }
                    target.put(chunk, 0, n);
                }
            }
            case I8 -> throw new IllegalArgumentException("I8 holds int8 quants, not float values");
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
