package dev.dtp.mamba.checkpoint.torch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The fakes written by tools/make_fake_checkpoints.py and the values torch computed for them. */
final class TorchFixtures {

    private static JsonObject reference;

    private TorchFixtures() {}

    static Path path(String name) {
        try {
            return Path.of(TorchFixtures.class.getResource("/torch/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource torch/" + name, e);
        }
    }

    static synchronized JsonObject reference() {
        if (reference == null) {
            try (Reader r = new InputStreamReader(
                    TorchFixtures.class.getResourceAsStream("/torch/reference.json"), StandardCharsets.UTF_8)) {
                reference = JsonParser.parseReader(r).getAsJsonObject();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return reference;
    }

    /** reference.json's entry for one tensor of one file. */
    static JsonObject expected(String file, String tensor) {
        JsonElement e = reference().getAsJsonObject("files").getAsJsonObject(file)
                .getAsJsonObject("tensors").get(tensor);
        if (e == null) {
            throw new IllegalStateException("reference.json has no " + file + " / " + tensor);
        }
        return e.getAsJsonObject();
    }

    static JsonObject tensorsOf(String file) {
        return reference().getAsJsonObject("files").getAsJsonObject(file).getAsJsonObject("tensors");
    }
}
