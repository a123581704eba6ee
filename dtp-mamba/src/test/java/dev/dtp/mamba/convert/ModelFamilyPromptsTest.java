package dev.dtp.mamba.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The prompt templates a converted Cobra carries are the ones its model card (models/cobra-3b.json) lists. */
class ModelFamilyPromptsTest {
    @Test
    void cobrasTemplatesMatchItsModelCard() throws IOException {
        JsonObject card = JsonParser.parseString(Files.readString(Path.of("..", "models", "cobra-3b.json")))
                .getAsJsonObject().getAsJsonObject("prompt");
        Map<String, String> listed = new TreeMap<>();
        card.getAsJsonObject("benchmarks").entrySet().forEach(e -> listed.put(e.getKey(), e.getValue().getAsString()));
        assertEquals(listed, new TreeMap<>(ModelFamily.COBRA.prompts().byBenchmark()));
        assertEquals(card.get("template").getAsString(), ModelFamily.COBRA.prompts().fallback());
    }

    @Test
    void roboMambaHasOnlyItsOneTemplate() {
        assertEquals(Map.of(), ModelFamily.ROBOMAMBA.prompts().byBenchmark());
        assertEquals("<image>Question: {question} Answer:", ModelFamily.ROBOMAMBA.prompts().fallback());
    }
}
