package dev.dtp.mamba.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-benchmark prompt templates of a model directory's config.json, their fallback and their errors. */
class PromptTemplatesTest {
    private static final String FILE = "models/x/config.json";

    private static PromptTemplates read(String visionJson) {
        return PromptTemplates.fromJson(JsonParser.parseString(visionJson).getAsJsonObject(), FILE);
    }

    @Test
    void eachBenchmarkGetsItsOwnTemplateAndTheRestTheModelsPrompt() {
        PromptTemplates p = read("{\"prompt\": \"<u>{question}</u>\", \"prompts\": {"
                + "\"vqav2\": \"<u>{question} short</u>\", \"vsr\": \"<u>True or False? {question}</u>\"}}");
        assertEquals("<u>what is it? short</u>", p.fill("vqav2", "what is it?"));
        assertEquals("<u>True or False? The cat is left of the dog.</u>", p.fill("vsr", "The cat is left of the dog."));
        assertEquals("<u>what is it?</u>", p.fill("gqa", "what is it?"));
        assertEquals("<u>what is it?</u>", p.fill(null, "what is it?"));
        assertEquals("<u>{question}</u>", p.fallback());
    }

    @Test
    void aConfigWithoutPromptsUsesVisionPromptEverywhere() {
        PromptTemplates p = read("{\"prompt\": \"Q: {question} A:\"}");
        assertEquals("Q: how many? A:", p.fill("vqav2", "how many?"));
        assertEquals(Map.of(), p.byBenchmark());
        assertEquals("how many?", read("{}").fill("pope", "how many?"));
    }

    @Test
    void textVqaQuestionsWithOcrTokensUseTheOcrTemplate() {
        PromptTemplates p = read("{\"prompts\": {\"textvqa\": \"{question} (plain)\","
                + " \"textvqa-ocr\": \"OCR: {ocr}; {question}\"}}");
        assertEquals("OCR: coca, cola; what brand?", p.fill("textvqa", "what brand?\nReference OCR token: coca, cola"));
        assertEquals("what brand? (plain)", p.fill("textvqa", "what brand?"));
        // without an OCR template the question is used whole, OCR tokens included, as TRI-ML's harness does
        PromptTemplates plain = read("{\"prompts\": {\"textvqa\": \"<{question}>\"}}");
        assertEquals("<what brand?\nReference OCR token: coca>", plain.fill("textvqa", "what brand?\nReference OCR token: coca"));
    }

    @Test
    void overridesReplaceOneBenchmarkOrEveryTemplate() {
        PromptTemplates p = read("{\"prompt\": \"[{question}]\", \"prompts\": {\"vqav2\": \"v {question}\", \"gqa\": \"g {question}\"}}");
        PromptTemplates one = p.with(Map.of("gqa", "G {question}"), "--prompt-template");
        assertEquals("v x", one.fill("vqav2", "x"));
        assertEquals("G x", one.fill("gqa", "x"));
        assertEquals("[x]", one.fill("pope", "x"));
        PromptTemplates all = p.with(Map.of("", "all {question}", "pope", "P {question}"), "--prompt-template");
        assertEquals("all x", all.fill("vqav2", "x"));
        assertEquals("all x", all.fill("gqa", "x"));
        assertEquals("P x", all.fill("pope", "x"));
        assertEquals(p, p.with(Map.of(), "--prompt-template"));
    }

    @Test
    void aTemplateWithoutTheQuestionNamesTheFileAndTheBenchmark() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> read("{\"prompts\": {\"vqav2\": \"{question}\", \"vizwiz\": \"Answer: \"}}"));
        assertTrue(e.getMessage().startsWith(FILE + ": vision.prompts.vizwiz (benchmark vizwiz) must contain {question}"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> read("{\"prompts\": {\"textvqa-ocr\": \"{question}\"}}"));
        assertTrue(e.getMessage().startsWith(FILE + ": vision.prompts.textvqa-ocr (benchmark textvqa-ocr) must contain {ocr}"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> read("{\"prompts\": [\"{question}\"]}"));
        assertTrue(e.getMessage().startsWith(FILE + ": vision.prompts must be an object"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> read("{\"prompts\": {\"gqa\": 3}}"));
        assertEquals(FILE + ": vision.prompts.gqa must be a string", e.getMessage());
    }

    @Test
    void writtenAsJsonItReadsBack() {
        PromptTemplates p = PromptTemplates.of("<{question}>", Map.of("pope", "<{question} yes or no>"), FILE);
        JsonObject vision = new JsonObject();
        vision.addProperty("prompt", p.fallback());
        vision.add("prompts", p.toJson());
        PromptTemplates back = PromptTemplates.fromJson(vision, FILE);
        assertEquals(p.byBenchmark(), back.byBenchmark());
        assertEquals("<x yes or no>", back.fill("pope", "x"));
    }
}
