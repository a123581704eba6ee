package dev.dtp.bench.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes eval datasets as JSONL: one JSON object per line with {@code id}, {@code image},
 * {@code question}, {@code answers}, {@code family} and optionally {@code subset} and {@code features}.
 * Paths in the file are relative to the file's directory. Full format: docs/DATA.md.
 */
public final class JsonlDataset {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private JsonlDataset() {
    }

    /**
     * Reads every non-blank line. Paths come back resolved against the file's directory, and both the image
     * and the features file must exist.
     *
     * @throws DatasetException naming the file and line of the first malformed line (bad JSON, missing or
     *     mistyped field, missing file, duplicate id)
     */
    public static List<EvalSample> read(Path jsonl) throws IOException {
        return readNumbered(jsonl).stream().map(Numbered::sample).toList();
    }

    /** A sample and the 1-based line it was read from, for errors found after reading. */
    public record Numbered(EvalSample sample, int line) {}

    /** As {@link #read}, with each sample's line number. */
    public static List<Numbered> readNumbered(Path jsonl) throws IOException {
        Path dir = jsonl.toAbsolutePath().getParent();
        List<Numbered> samples = new ArrayList<>();
        Map<String, Integer> lineOfId = new HashMap<>();
        byte[] bytes = Files.readAllBytes(jsonl);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNumber = 0;
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            String line;
            try {
                line = utf8.decode(ByteBuffer.wrap(bytes, start, stop - start)).toString();
            } catch (CharacterCodingException e) {
                throw new DatasetException(jsonl, lineNumber, "not UTF-8");
            }
            start = end + 1;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // byte order mark
            }
            if (line.isBlank()) {
                continue;
            }
            EvalSample s = parse(new Line(jsonl, lineNumber), line, dir);
            Integer previous = lineOfId.putIfAbsent(s.id(), lineNumber);
            if (previous != null) {
                throw new DatasetException(jsonl, lineNumber,
                        "duplicate id '" + s.id() + "' (first on line " + previous + ")");
            }
            samples.add(new Numbered(s, lineNumber));
        }
        return samples;
    }

    /**
     * Writes one line per sample, fields in the documented order, '\n' line ends, UTF-8. Absolute paths are
     * written relative to the file's directory, always with '/' separators.
     */
    public static void write(Path jsonl, List<EvalSample> samples) throws IOException {
        Path dir = jsonl.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try (BufferedWriter out = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
            for (EvalSample s : samples) {
                out.write(toJson(s, dir));
                out.write('\n');
            }
        }
    }

    /** The JSON object of one sample, on one line. */
    public static String toJson(EvalSample s, Path dir) {
        JsonObject o = new JsonObject();
        o.addProperty("id", s.id());
        o.addProperty("image", relative(s.image(), dir));
        o.addProperty("question", s.question());
        JsonArray answers = new JsonArray();
        s.answers().forEach(answers::add);
        o.add("answers", answers);
        o.addProperty("family", s.family());
        if (s.subset() != null) {
            o.addProperty("subset", s.subset());
        }
        if (s.features() != null) {
            o.addProperty("features", relative(s.features(), dir));
        }
        if (s.scoring() != null) {
            o.addProperty("scoring", s.scoring());
        }
        if (!s.candidates().isEmpty()) {
            JsonArray candidates = new JsonArray();
            s.candidates().forEach(candidates::add);
            o.add("candidates", candidates);
        }
        return GSON.toJson(o);
    }

    private static String relative(Path p, Path dir) {
        // relative to the JSONL file's directory, whatever the current directory (paths given relative to
        // it are made absolute first)
        Path rel = dir != null ? dir.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()) : p;
        return rel.toString().replace(File.separatorChar, '/');
    }

    private record Line(Path file, int number) {
        DatasetException error(String problem) {
            return new DatasetException(file, number, problem);
        }
    }

    private static EvalSample parse(Line at, String line, Path dir) {
        JsonObject o = object(at, line);
        String id = string(at, o, "id", true);
        if (id.isEmpty()) {
            throw at.error("field 'id' is empty");
        }
        Path image = existingFile(at, dir, "image", string(at, o, "image", true));
        String question = string(at, o, "question", true);
        List<String> answers = answers(at, o);
        String family = string(at, o, "family", true);
        String subset = string(at, o, "subset", false);
        String features = string(at, o, "features", false);
        String scoring = string(at, o, "scoring", false);
        if (scoring != null && !SCORINGS.contains(scoring)) {
            throw at.error("field 'scoring' must be one of " + SCORINGS + ", got '" + scoring + "'");
        }
        return new EvalSample(id, image, question, answers, family, subset,
                features == null ? null : existingFile(at, dir, "features", features), scoring, candidates(at, o));
    }

    private static JsonObject object(Line at, String line) {
        JsonElement element;
        try {
            JsonReader reader = new JsonReader(new StringReader(line));
            reader.setStrictness(Strictness.STRICT);
            element = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw at.error("bad JSON: unexpected text after the object");
            }
        } catch (JsonParseException | IOException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw at.error("bad JSON: " + why);
        }
        if (!element.isJsonObject()) {
            throw at.error("expected a JSON object, found " + describe(element));
        }
        return element.getAsJsonObject();
    }

    /** A string field; an absent or null optional field gives null. */
    private static String string(Line at, JsonObject o, String name, boolean required) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw at.error("missing field '" + name + "'");
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw at.error("field '" + name + "' must be a string, found " + describe(e));
        }
        return e.getAsString();
    }

    private static final List<String> SCORINGS = List.of("generate", "probability");

    /** The optional candidate answers: at least two, distinct, none blank. */
    private static List<String> candidates(Line at, JsonObject o) {
        JsonElement e = o.get("candidates");
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        if (!e.isJsonArray()) {
            throw at.error("field 'candidates' must be an array of strings, found " + describe(e));
        }
        JsonArray array = e.getAsJsonArray();
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement c = array.get(i);
            if (!c.isJsonPrimitive() || !c.getAsJsonPrimitive().isString() || c.getAsString().isBlank()) {
                throw at.error("candidates[" + i + "] must be a non-blank string, found " + describe(c));
            }
            if (out.contains(c.getAsString())) {
                throw at.error("candidates[" + i + "] '" + c.getAsString() + "' is given twice");
            }
            out.add(c.getAsString());
        }
        if (out.size() < 2) {
            throw at.error("field 'candidates' needs at least two answers to choose among, got " + out.size());
        }
        return out;
    }

    private static List<String> answers(Line at, JsonObject o) {
        JsonElement e = o.get("answers");
        if (e == null || e.isJsonNull()) {
            throw at.error("missing field 'answers'");
        }
        if (!e.isJsonArray()) {
            throw at.error("field 'answers' must be an array of strings, found " + describe(e));
        }
        JsonArray array = e.getAsJsonArray();
        if (array.isEmpty()) {
            throw at.error("field 'answers' is empty");
        }
        List<String> answers = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement a = array.get(i);
            if (!a.isJsonPrimitive() || !a.getAsJsonPrimitive().isString()) {
                throw at.error("answers[" + i + "] must be a string, found " + describe(a));
            }
            answers.add(a.getAsString());
        }
        return answers;
    }

    private static Path existingFile(Line at, Path dir, String field, String value) {
        Path p;
        try {
            p = dir.resolve(value).normalize();
        } catch (InvalidPathException e) {
            throw at.error("field '" + field + "' is not a valid path: " + value);
        }
        if (!Files.isRegularFile(p)) {
            throw at.error(field + " file not found: " + value + " (resolved to " + p + ")");
        }
        return p;
    }

    /** "null", "an array", "an object", "a number", "a boolean" or "a string": for error messages. */
    public static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.getAsJsonPrimitive().isNumber()) {
            return "a number";
        }
        if (e.getAsJsonPrimitive().isBoolean()) {
            return "a boolean";
        }
        return "a string";
    }
}
