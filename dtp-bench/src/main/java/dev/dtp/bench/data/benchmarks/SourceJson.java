package dev.dtp.bench.data.benchmarks;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.dtp.bench.data.DatasetException;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the entries of a benchmark's source file, so that multi-hundred-megabyte annotation files are
 * never held whole in memory. Every problem becomes a {@link DatasetException} naming the file: a missing
 * file, bytes that are not UTF-8, bad JSON, or a top level of the wrong shape.
 */
final class SourceJson {
    private static final TypeAdapter<JsonElement> ELEMENT = new Gson().getAdapter(JsonElement.class);

    private SourceJson() {
    }

    /** Receives one entry; returns false to stop reading. */
    @FunctionalInterface
    interface ElementVisitor {
        boolean visit(int index, JsonElement value);
    }

    /** Receives one member of the top-level object; returns false to stop reading. */
    @FunctionalInterface
    interface MemberVisitor {
        boolean visit(String key, JsonElement value);
    }

    /** Receives one non-blank line of a JSONL file; returns false to stop reading. */
    @FunctionalInterface
    interface LineVisitor {
        boolean visit(int line, JsonElement value);
    }

    /**
     * Streams the elements of an array: the top-level array when {@code field} is null, otherwise the array
     * held by that member of the top-level object. Returns the top-level object's other primitive members
     * read (all of them unless the visitor stopped early); an empty object for a top-level array.
     */
    static JsonObject array(Path file, String field, ElementVisitor visitor) throws IOException {
        JsonObject header = new JsonObject();
        try (JsonReader in = open(file)) {
            if (field == null) {
                expect(file, in, JsonToken.BEGIN_ARRAY, "the top level");
                elements(in, visitor);
                return header;
            }
            expect(file, in, JsonToken.BEGIN_OBJECT, "the top level");
            in.beginObject();
            boolean found = false;
            while (in.hasNext()) {
                String name = in.nextName();
                if (name.equals(field) && !found) {
                    found = true;
                    expect(file, in, JsonToken.BEGIN_ARRAY, "field '" + field + "'");
                    if (!elements(in, visitor)) {
                        return header;
                    }
                } else {
                    JsonElement value = ELEMENT.read(in);
                    if (value.isJsonPrimitive()) {
                        header.add(name, value);
                    }
                }
            }
            in.endObject();
            if (!found) {
                throw new DatasetException(file, "the top level", "missing field '" + field + "'");
            }
            end(file, in);
            return header;
        } catch (JsonParseException | IllegalStateException | MalformedJsonException | EOFException e) {
            throw badJson(file, e);
        } catch (CharacterCodingException e) {
            throw new DatasetException(file, "not UTF-8", e);
        }
    }

    /** Streams the members of the top-level object, in file order. */
    static void members(Path file, MemberVisitor visitor) throws IOException {
        try (JsonReader in = open(file)) {
            expect(file, in, JsonToken.BEGIN_OBJECT, "the top level");
            in.beginObject();
            while (in.hasNext()) {
                String key = in.nextName();
                if (!visitor.visit(key, ELEMENT.read(in))) {
                    return;
                }
            }
            in.endObject();
            end(file, in);
        } catch (JsonParseException | IllegalStateException | MalformedJsonException | EOFException e) {
            throw badJson(file, e);
        } catch (CharacterCodingException e) {
            throw new DatasetException(file, "not UTF-8", e);
        }
    }

    /**
     * Streams a JSONL file: one JSON value per non-blank line ({@code \n} or {@code \r\n}; a leading byte
     * order mark is ignored). A line that is not exactly one JSON value is an error naming the line.
     */
    static void lines(Path file, LineVisitor visitor) throws IOException {
        requireFile(file);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (!visitor.visit(number, parseLine(file, number, line))) {
                    return;
                }
            }
        } catch (CharacterCodingException e) {
            throw new DatasetException(file, "not UTF-8", e);
        }
    }

    private static JsonElement parseLine(Path file, int number, String line) {
        try (JsonReader reader = new JsonReader(new StringReader(line))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = ELEMENT.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new DatasetException(file, number, "bad JSON: unexpected text after the value");
            }
            return element;
        } catch (JsonParseException | IllegalStateException | IOException e) {
            throw new DatasetException(file, number, "bad JSON: " + e.getMessage());
        }
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file, "file not found");
        }
    }

    private static JsonReader open(Path file) throws IOException {
        requireFile(file);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16);
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset(); // no byte order mark
        }
        JsonReader in = new JsonReader(reader);
        in.setStrictness(Strictness.STRICT);
        return in;
    }

    private static boolean elements(JsonReader in, ElementVisitor visitor) throws IOException {
        in.beginArray();
        int index = 0;
        while (in.hasNext()) {
            if (!visitor.visit(index++, ELEMENT.read(in))) {
                return false;
            }
        }
        in.endArray();
        return true;
    }

    private static void expect(Path file, JsonReader in, JsonToken token, String what) throws IOException {
        JsonToken found = in.peek();
        if (found != token) {
            throw new DatasetException(file, what,
                    "expected " + describe(token) + ", found " + describe(found));
        }
    }

    private static String describe(JsonToken token) {
        switch (token) {
            case BEGIN_ARRAY:
                return "an array";
            case BEGIN_OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            case END_DOCUMENT:
                return "nothing (empty file)";
            default:
                return token.name();
        }
    }

    private static void end(Path file, JsonReader in) throws IOException {
        if (in.peek() != JsonToken.END_DOCUMENT) {
            throw new DatasetException(file, "bad JSON: unexpected text after the top-level value");
        }
    }

    private static DatasetException badJson(Path file, Exception e) {
        String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        return new DatasetException(file, "bad JSON: " + why, e);
    }
}
