package dev.dtp.mamba.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.core.InputException;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MambaTokenizerTest {
    static Path fixture() throws URISyntaxException {
        return Path.of(MambaTokenizerTest.class.getResource("/tokenizer/tokenizer.json").toURI());
    }

    @Test
    void encodesAndDecodesWithTheHandWrittenVocabulary() throws Exception {
        try (MambaTokenizer t = MambaTokenizer.load(fixture().getParent())) {
            // ids by hand from the vocabulary in tokenizer.json; lower-cased, split on whitespace and punctuation
            assertArrayEquals(new int[] {2, 3, 4, 5, 6, 7}, t.encode("What color is the circle?"));
            assertArrayEquals(new int[] {8, 0}, t.encode("red green")); // unknown word → <unk>
            assertEquals(1, t.tokenId("<|endoftext|>"));
            assertEquals(10, t.vocabSize());
            assertEquals("red blue", t.decode(new int[] {8, 9}));
            InputException e = assertThrows(InputException.class, () -> t.tokenId("<|user|>"));
            assertTrue(e.getMessage().contains("<|user|>"));
        }
    }

    @Test
    void missingOrMalformedFilesNameTheFile(@TempDir Path dir) throws Exception {
        ConfigException missing = assertThrows(ConfigException.class, () -> MambaTokenizer.load(dir));
        assertTrue(missing.getMessage().contains("tokenizer.json"), missing.getMessage());
        Path bad = dir.resolve("tokenizer.json");
        Files.writeString(bad, "{ not json");
        ConfigException malformed = assertThrows(ConfigException.class, () -> MambaTokenizer.load(bad));
        assertTrue(malformed.getMessage().startsWith(bad.toString()), malformed.getMessage());
    }
}
