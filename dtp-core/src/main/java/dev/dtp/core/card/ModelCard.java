package dev.dtp.core.card;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dtp.core.DtpException;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.flops.MambaShape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A model card ({@code models/*.json}): the language model's shape, the visual token count, the DTP
 * layers and ratio, and free-form sections (vision, prompt) for the tools that need them.
 *
 * @param textTokens typical prompt length, used when a command is not told the text length
 */
public record ModelCard(String name, MambaShape shape, int visualTokens, int textTokens, PruningDefaults dtp,
        JsonObject json) {

    public static ModelCard read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DtpException(file + ": model card not found");
        } catch (IOException e) {
            throw new DtpException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw new DtpException(file + ": a model card must be a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new DtpException(file + ": not valid JSON: " + e.getMessage());
        }
        try {
            JsonObject lm = o.getAsJsonObject("language_model");
            int vocab = lm.has("padded_vocab_size") ? lm.get("padded_vocab_size").getAsInt() : lm.get("vocab_size").getAsInt();
            MambaShape shape = new MambaShape(lm.get("layers").getAsInt(), lm.get("d_model").getAsInt(),
                    lm.get("d_state").getAsInt(), lm.get("expand").getAsInt(), lm.get("dt_rank").getAsInt(),
                    lm.get("d_conv").getAsInt(), vocab);
            JsonObject vision = o.getAsJsonObject("vision");
            JsonObject dtp = o.getAsJsonObject("dtp");
            PruningDefaults defaults = new PruningDefaults(dtp.get("early").getAsInt(), dtp.get("r").getAsDouble(),
                    dtp.get("late").getAsInt());
            int textTokens = o.has("text_tokens") ? o.get("text_tokens").getAsInt() : 31;
            return new ModelCard(o.get("name").getAsString(), shape, vision.get("patches").getAsInt(), textTokens, defaults, o);
        } catch (DtpException e) {
            throw new DtpException(file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new DtpException(file + ": model card needs name, language_model{layers, d_model, d_state, expand, "
                    + "dt_rank, d_conv, vocab_size}, vision{patches} and dtp{early, late, r}: " + e.getMessage());
        }
    }
}
