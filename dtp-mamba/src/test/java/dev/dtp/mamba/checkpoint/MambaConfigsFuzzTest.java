package dev.dtp.mamba.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dtp.mamba.MambaConfig;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link MambaConfigs#parse}: any text either gives a {@link ConfigException} whose message
 * names the source, or a config that describes a possible model and survives a write/read round
 * trip. Any other exception fails the test. The input is the config.json bytes (UTF-8); seeds live
 * in {@code MambaConfigsFuzzTestInputs/fuzzParse/}. Fuzz with {@code mvn -B verify -Pfuzz -pl dtp-mamba -am}.
 */
class MambaConfigsFuzzTest {
    private static final String SOURCE = "fuzz/config.json";

    @FuzzTest(maxDuration = FuzzDurations.MAX_DURATION)
    @DictionaryEntries({"\"model_type\"", "\"mamba\"", "\"hidden_size\"", "\"num_hidden_layers\"", "\"vocab_size\"",
            "\"state_size\"", "\"conv_kernel\"", "\"expand\"", "\"intermediate_size\"", "\"time_step_rank\"",
            "\"layer_norm_epsilon\"", "\"tie_word_embeddings\"", "\"use_bias\"", "\"use_conv_bias\"", "\"d_model\"",
            "\"n_layer\"", "\"pad_vocab_size_multiple\"", "\"rms_norm\"", "\"ssm_cfg\"", "\"layer\"", "\"Mamba1\"",
            "\"d_state\"", "\"d_conv\"", "\"dt_rank\"", "\"auto\"", "\"bias\"", "\"conv_bias\"", "\"norm_epsilon\"",
            "\"tie_embeddings\"", "2147483647", "1073741824", "true", "false", "null", "1e-5"})
    void fuzzParse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        MambaConfigs.ConfigFile file;
        try {
            file = MambaConfigs.parse(SOURCE, text);
        } catch (ConfigException e) {
            String message = e.getMessage();
            assertNotNull(message);
            // "fuzz/config.json: ..." or, for a nested section, "fuzz/config.json ssm_cfg: ..."
            assertTrue(message.startsWith(SOURCE) && message.indexOf(": ", SOURCE.length()) > 0,
                    () -> "message does not name the source and the problem: " + message);
            return;
        }
        assertNotNull(file.layout());
        assertNotNull(file.json());
        checkPossible(file.config());

        // What we accept we can write, and read back unchanged (the Hugging Face layout has no
        // vocabulary padding, so the padded size becomes the vocabulary size).
        MambaConfig c = file.config();
        MambaConfig expected = new MambaConfig(c.dModel(), c.layers(), c.paddedVocabSize(), c.paddedVocabSize(),
                c.dState(), c.dConv(), c.expand(), c.dtRank(), c.normEps(), c.tieEmbeddings(), c.projBias(),
                c.convBias());
        assertEquals(expected, MambaConfigs.parse(SOURCE, MambaConfigs.toHuggingFaceJson(c)).config());
        assertEquals(c.withPaddedVocab(c.vocabSize()),
                MambaConfigs.parse(SOURCE, MambaConfigs.toMambaSsmJson(c, 1)).config());
    }

    /** Every size positive, no int overflow in the derived sizes, dt_rank within d_inner. */
    private static void checkPossible(MambaConfig c) {
        String where = c.toString();
        assertTrue(c.dModel() > 0 && c.layers() > 0 && c.vocabSize() > 0 && c.dState() > 0 && c.dConv() > 0
                && c.expand() > 0 && c.dtRank() > 0, () -> "non-positive size in " + where);
        assertTrue(c.paddedVocabSize() >= c.vocabSize(), () -> "padded vocabulary smaller than the vocabulary: " + where);
        assertEquals((long) c.expand() * c.dModel(), c.dInner(), () -> "d_inner overflows: " + where);
        assertTrue(c.dtRank() <= c.dInner(), () -> "dt_rank above d_inner: " + where);
        assertTrue(c.normEps() > 0 && Double.isFinite(c.normEps()), () -> "bad epsilon in " + where);
    }
}
