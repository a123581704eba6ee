package dev.dtp.mamba.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the safetensors header parser and {@link SafetensorsFile#open}. Whatever the bytes, the
 * only acceptable failure is a {@link CheckpointException} whose message names the file; any other
 * exception (NullPointerException, NumberFormatException, IllegalStateException, ...) or a broken
 * invariant of an accepted header fails the test.
 *
 * <p>Input format (also of the seed files in {@code SafetensorsHeaderFuzzTestInputs/fuzzHeader/}):
 * an optional first line of 1 to 6 decimal digits giving the length of the (zero-filled) data
 * section, then the JSON header bytes. Without that line the data section is empty. Each input is
 * <ol>
 *   <li>passed to {@code parseHeader} directly,
 *   <li>written as a file (8-byte little-endian header length, header, data) and opened; both must
 *       agree: the same tensors or the same error,
 *   <li>written verbatim as a file and opened, which exercises the length prefix and UTF-8 checks.
 * </ol>
 * In the normal build this runs only on the inputs directory (Jazzer's regression mode); fuzz with
 * {@code mvn -B verify -Pfuzz -pl dtp-mamba -am}.
 */
class SafetensorsHeaderFuzzTest {
    /** Largest data section the harness writes; enough for shapes with a few hundred elements. */
    private static final int MAX_DATA_BYTES = 1 << 16;

    private static final Path FILE = tempFile("fuzz-header-");
    private static final Path RAW_FILE = tempFile("fuzz-raw-");

    @FuzzTest(maxDuration = FuzzDurations.MAX_DURATION)
    @DictionaryEntries({"\"__metadata__\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"F32\"", "\"F16\"",
            "\"BF16\"", "\"I64\"", "[0,", "{\"", "\":", "\",\""})
    void fuzzHeader(byte[] input) {
        int newline = firstLineEnd(input);
        long dataLength = newline < 0 ? 0 : Math.min(Long.parseLong(new String(input, 0, newline,
                StandardCharsets.US_ASCII)), MAX_DATA_BYTES);
        int headerStart = newline < 0 ? 0 : newline + 1;
        byte[] header = Arrays.copyOfRange(input, headerStart, input.length);
        long dataStart = 8L + header.length;

        // 1. The parser on its own (lenient decoding, as a caller holding a String would do).
        String json = new String(header, StandardCharsets.UTF_8);
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, SafetensorsFile.TensorInfo> parsed = null;
        String parseError = null;
        try {
            parsed = SafetensorsFile.parseHeader(FILE, json, dataStart, dataLength, metadata);
            checkAccepted(parsed, dataStart, dataLength);
        } catch (CheckpointException e) {
            parseError = checkMessage(e, FILE);
        }

        // 2. The same header in a well-formed file: open must agree with parseHeader.
        ByteBuffer file = ByteBuffer.allocate((int) (dataStart + dataLength)).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        write(FILE, file.array());
        boolean comparable = header.length >= 2 && isStrictUtf8(header);
        try (SafetensorsFile f = SafetensorsFile.open(FILE)) {
            checkAccepted(f.tensors(), dataStart, dataLength);
            if (comparable) {
                if (parsed == null) {
                    fail("open accepted a header that parseHeader rejected: " + parseError);
                }
                assertSameTensors(parsed, f.tensors());
                assertEquals(metadata, f.metadata());
            }
        } catch (CheckpointException e) {
            String openError = checkMessage(e, FILE);
            if (comparable) {
                assertEquals(parseError, openError, "open and parseHeader disagree");
            }
        }

        // 3. The input itself as a file.
        write(RAW_FILE, input);
        try (SafetensorsFile f = SafetensorsFile.open(RAW_FILE)) {
            long headerLength = ByteBuffer.wrap(input, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            checkAccepted(f.tensors(), 8 + headerLength, input.length - 8 - headerLength);
        } catch (CheckpointException e) {
            checkMessage(e, RAW_FILE);
        }
    }

    /** End of a leading line of 1..6 ASCII digits, or -1 when the input does not start with one. */
    private static int firstLineEnd(byte[] input) {
        for (int i = 0; i < input.length && i <= 6; i++) {
            byte b = input[i];
            if (b == '\n') {
                return i == 0 ? -1 : i;
            }
            if (b < '0' || b > '9') {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isStrictUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A rejection must name the file and say something. */
    private static String checkMessage(CheckpointException e, Path file) {
        String message = e.getMessage();
        assertNotNull(message);
        assertTrue(message.startsWith(file + ": ") && message.length() > file.toString().length() + 2,
                () -> "message does not name the file and the problem: " + message);
        return message;
    }

    /** What an accepted header promises: well-formed entries that tile the data section exactly. */
    private static void checkAccepted(Map<String, SafetensorsFile.TensorInfo> tensors, long dataStart, long dataLength) {
        List<SafetensorsFile.TensorInfo> infos = new ArrayList<>(tensors.values());
        long covered = 0;
        for (SafetensorsFile.TensorInfo t : infos) {
            assertNotNull(t.name());
            assertNotNull(t.dtype());
            assertTrue(!t.name().equals("__metadata__"), "metadata parsed as a tensor");
            for (long s : t.shape()) {
                assertTrue(s >= 0, () -> "negative dimension in " + t);
            }
            assertTrue(t.begin() >= dataStart && t.begin() <= t.end() && t.end() <= dataStart + dataLength,
                    () -> t.name() + " [" + t.begin() + ", " + t.end() + ") is outside the data section");
            assertEquals(t.end() - t.begin(), t.elementCount() * t.dtype().bytes(), () -> t.name() + " size");
            covered += t.end() - t.begin();
        }
        assertEquals(dataLength, covered, "tensors do not cover the data section exactly");
    }

    private static void assertSameTensors(Map<String, SafetensorsFile.TensorInfo> expected,
            Map<String, SafetensorsFile.TensorInfo> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (SafetensorsFile.TensorInfo e : expected.values()) {
            SafetensorsFile.TensorInfo a = actual.get(e.name());
            assertEquals(e.dtype(), a.dtype());
            assertArrayEquals(e.shape(), a.shape());
            assertEquals(e.begin(), a.begin());
            assertEquals(e.end(), a.end());
        }
    }

    private static Path tempFile(String prefix) {
        try {
            Path p = Files.createTempFile(prefix, ".safetensors");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path path, byte[] bytes) {
        try {
            Files.write(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
