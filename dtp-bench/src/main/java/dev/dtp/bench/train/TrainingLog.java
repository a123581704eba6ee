package dev.dtp.bench.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** training-log.jsonl in the model directory: one line per validation, appended across resumed runs. */
final class TrainingLog {
    private final Path file;

    private TrainingLog(Path file) {
        this.file = file;
    }

    /** The log in {@code dir}: continued when resuming, else started afresh. */
    static TrainingLog in(Path dir, boolean resume) throws IOException {
        Path file = dir.resolve("training-log.jsonl");
        if (!resume) {
            Files.deleteIfExists(file);
        }
        return new TrainingLog(file);
    }

    void append(int step, double loss, double minutes, Map<String, Double> accuracy) throws IOException {
        JsonObject line = new JsonObject();
        line.addProperty("step", step);
        line.addProperty("loss", loss);
        line.addProperty("minutes", minutes);
        JsonObject a = new JsonObject();
        accuracy.forEach(a::addProperty);
        line.add("val_accuracy", a);
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
