package dev.dtp.bench.data.benchmarks;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.JsonlDataset;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of a benchmark's source file, for reading its fields and for errors that name the file and the
 * entry: {@code <file>: questions[3] (question_id 5): missing field 'question'} for JSON files,
 * {@code <file>:12: missing field 'label'} for JSONL files.
 */
final class Entry {
    private final Path file;
    private final int line;
    private final String label;

    private Entry(Path file, int line, String label) {
        this.file = file;
        this.line = line;
        this.label = label;
    }

    /** An entry of a JSON file, e.g. {@code questions[3]}. */
    static Entry of(Path file, String label) {
        return new Entry(file, 0, label);
    }

    /** A line of a JSONL file (1-based). */
    static Entry line(Path file, int line) {
        return new Entry(file, line, null);
    }

    /** The same entry, now also named by a field, e.g. {@code question_id 5}. */
    Entry named(String detail) {
        if (line > 0) {
            return new Entry(file, line, label == null ? detail : label + ", " + detail);
        }
        return new Entry(file, 0, label + " (" + detail + ")");
    }

    Path file() {
        return file;
    }

    DatasetException error(String problem) {
        if (line > 0) {
            return new DatasetException(file, line, label == null ? problem : label + ": " + problem);
        }
        return new DatasetException(file, label, problem);
    }

    JsonObject object(JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            throw error("expected a JSON object, found " + describe(e));
        }
        return e.getAsJsonObject();
    }

    /** A required string field. */
    String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw error("missing field '" + name + "'");
        }
        if (!isString(e)) {
            throw error("field '" + name + "' must be a string, found " + describe(e));
        }
        return e.getAsString();
    }

    /** An optional string field: null when absent or null. */
    String optionalString(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!isString(e)) {
            throw error("field '" + name + "' must be a string, found " + describe(e));
        }
        return e.getAsString();
    }

    /** A required identifier: a non-empty string, or an integer written in full ({@code 262148000}). */
    String id(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw error("missing field '" + name + "'");
        }
        if (isString(e)) {
            String s = e.getAsString();
            if (s.isEmpty()) {
                throw error("field '" + name + "' is empty");
            }
            return s;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            BigDecimal d = new BigDecimal(e.getAsJsonPrimitive().getAsString());
            try {
                return d.toBigIntegerExact().toString();
            } catch (ArithmeticException notInteger) {
                throw error("field '" + name + "' must be an integer or a string, found " + d);
            }
        }
        throw error("field '" + name + "' must be an integer or a string, found " + describe(e));
    }

    /** A required non-negative integer field (COCO image ids). */
    long nonNegativeLong(JsonObject o, String name) {
        String id = id(o, name);
        try {
            long v = Long.parseLong(id);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error("field '" + name + "' must be a non-negative integer, found " + o.get(name));
    }

    /** A required non-empty array field. */
    JsonArray array(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw error("missing field '" + name + "'");
        }
        if (!e.isJsonArray()) {
            throw error("field '" + name + "' must be an array, found " + describe(e));
        }
        if (e.getAsJsonArray().isEmpty()) {
            throw error("field '" + name + "' is empty");
        }
        return e.getAsJsonArray();
    }

    /** A required non-empty array of strings ({@code "answers": ["a", "b"]}). */
    List<String> strings(JsonObject o, String name) {
        JsonArray array = array(o, name);
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement a = array.get(i);
            if (!isString(a)) {
                throw error(name + "[" + i + "] must be a string, found " + describe(a));
            }
            out.add(a.getAsString());
        }
        return out;
    }

    /** A required non-empty array of objects, each with a string field ({@code "answers": [{"answer": "a"}]}). */
    List<String> stringsOf(JsonObject o, String name, String field) {
        JsonArray array = array(o, name);
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement a = array.get(i);
            if (a == null || !a.isJsonObject()) {
                throw error(name + "[" + i + "] must be an object, found " + describe(a));
            }
            JsonElement v = a.getAsJsonObject().get(field);
            if (v == null || v.isJsonNull()) {
                throw error(name + "[" + i + "] has no field '" + field + "'");
            }
            if (!isString(v)) {
                throw error(name + "[" + i + "]." + field + " must be a string, found " + describe(v));
            }
            out.add(v.getAsString());
        }
        return out;
    }

    /** A required yes/no label: "yes"/"no" (any case), 1/0 or true/false. Returns "yes" or "no". */
    String yesNo(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw error("missing field '" + name + "'");
        }
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isBoolean()) {
                return p.getAsBoolean() ? "yes" : "no";
            }
            String s = p.getAsString().trim().toLowerCase(Locale.ROOT);
            if (p.isNumber()) {
                try {
                    s = new BigDecimal(s).stripTrailingZeros().toPlainString();
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            switch (s) {
                case "yes", "1", "true":
                    return "yes";
                case "no", "0", "false":
                    return "no";
                default:
                    break;
            }
        }
        throw error("field '" + name + "' must be yes/no, 1/0 or true/false, found " + e);
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    static String describe(JsonElement e) {
        return JsonlDataset.describe(e);
    }
}
