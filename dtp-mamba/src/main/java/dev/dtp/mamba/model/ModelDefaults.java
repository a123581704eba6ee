package dev.dtp.mamba.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.PruningDefaults;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model directory's DTP settings: {@code calibration.json} (written by {@code dtp calibrate})
 * if present, else a {@code "dtp"} object in config.json ({@code early}, {@code late}, {@code r}),
 * else the paper's layers scaled to the model's depth with r = 0.5.
 */
final class ModelDefaults {
    private ModelDefaults() {}

    static PruningDefaults read(Path modelDir, MambaConfig config) {
        Path calibration = modelDir.resolve("calibration.json");
        if (Files.isRegularFile(calibration)) {
            return fromObject(parse(calibration), calibration);
        }
        Path configFile = modelDir.resolve("config.json");
        JsonObject root = parse(configFile);
        if (root.has("dtp") && root.get("dtp").isJsonObject()) {
            return fromObject(root.getAsJsonObject("dtp"), configFile);
        }
        return PruningDefaults.paperDefaults(config.layers());
    }

    /** A calibration.json written by {@code dtp calibrate}, wherever it is. */
    static PruningDefaults readCalibration(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": calibration file not found");
        }
        return fromObject(parse(file), file);
    }

    private static PruningDefaults fromObject(JsonObject o, Path file) {
        try {
            double r = o.has("r") ? o.get("r").getAsDouble() : 0.5;
            return new PruningDefaults(o.get("early").getAsInt(), r, o.get("late").getAsInt());
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": DTP settings need integer 'early' and 'late' and a number 'r': " + e.getMessage());
        }
    }

    private static JsonObject parse(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + ": cannot read JSON: " + e.getMessage());
        }
    }
}
