package dev.dtp.mamba.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.mamba.MambaConfig;
import org.junit.jupiter.api.Test;

class MambaConfigsTest {

    @Test
    void readsTheHuggingFaceLayout() {
        // the shape of state-spaces/mamba-130m-hf's config.json
        MambaConfigs.ConfigFile f = MambaConfigs.parse("config.json", """
                {"model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 24, "vocab_size": 50280,
                 "state_size": 16, "conv_kernel": 4, "expand": 2, "intermediate_size": 1536,
                 "time_step_rank": 48, "layer_norm_epsilon": 1e-05, "use_bias": false, "use_conv_bias": true}""");
        MambaConfig c = f.config();
        assertEquals(Layout.HUGGING_FACE, f.layout());
        assertEquals(768, c.dModel());
        assertEquals(24, c.layers());
        assertEquals(1536, c.dInner());
        assertEquals(48, c.dtRank());
        assertEquals(50280, c.paddedVocabSize());
        assertTrue(c.tieEmbeddings());
    }

    @Test
    void readsTheMambaSsmLayoutWithVocabPadding() {
        // the shape of mamba-2.8b-zephyr's config.json (Cobra's language model)
        MambaConfigs.ConfigFile f = MambaConfigs.parse("config.json", """
                {"d_model": 2560, "n_layer": 64, "vocab_size": 50280, "ssm_cfg": {}, "rms_norm": true,
                 "residual_in_fp32": true, "fused_add_norm": true, "pad_vocab_size_multiple": 8}""");
        MambaConfig c = f.config();
        assertEquals(Layout.MAMBA_SSM, f.layout());
        assertEquals(50280, c.vocabSize());
        assertEquals(50280, c.paddedVocabSize()); // already a multiple of 8
        assertEquals(160, c.dtRank()); // auto = ceil(2560 / 16)
        assertEquals(16, c.dState());
        MambaConfig odd = MambaConfigs.parse("c", "{\"d_model\": 64, \"n_layer\": 2, \"vocab_size\": 50277,"
                + " \"pad_vocab_size_multiple\": 8}").config();
        assertEquals(50280, odd.paddedVocabSize());
    }

    @Test
    void writtenConfigsReadBack() {
        MambaConfig c = MambaConfig.of(32, 3, 50).withPaddedVocab(56);
        assertEquals(c, MambaConfigs.parse("x", MambaConfigs.toMambaSsmJson(c, 8)).config());
        MambaConfig hf = MambaConfig.of(32, 3, 56);
        assertEquals(hf, MambaConfigs.parse("x", MambaConfigs.toHuggingFaceJson(hf)).config());
    }

    private static void assertRejected(String json, String fragment) {
        ConfigException e = assertThrows(ConfigException.class, () -> MambaConfigs.parse("some/config.json", json));
        assertTrue(e.getMessage().startsWith("some/config.json"), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void rejectsBadConfigs() {
        assertRejected("{\"hidden_size\": 64, \"vocab_size\": 10}", "missing required key 'num_hidden_layers'");
        assertRejected("{\"hidden_size\": -64, \"num_hidden_layers\": 2, \"vocab_size\": 10}", "'hidden_size' must be positive");
        assertRejected("{\"hidden_size\": 64.5, \"num_hidden_layers\": 2, \"vocab_size\": 10}", "must be an integer");
        assertRejected("{\"model_type\": \"llama\", \"hidden_size\": 64}", "unknown model_type 'llama'");
        assertRejected("{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"vocab_size\": 10, \"time_step_rank\": 1000}",
                "inconsistent");
        assertRejected("{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"vocab_size\": 10, \"time_step_rank\": \"big\"}",
                "\"auto\" or a positive integer");
        assertRejected("{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"vocab_size\": 10, \"intermediate_size\": 100}",
                "intermediate_size");
        assertRejected("[1]", "JSON object");
        assertRejected("{", "not valid JSON");
        assertRejected("{\"foo\": 1}", "not a Mamba config");
        assertRejected("{\"d_model\": 64, \"n_layer\": 2, \"vocab_size\": 10, \"rms_norm\": false}", "rms_norm");
    }

    @Test
    void rejectsSizesThatOverflowAnInt() {
        // 4 × 1073741825 wraps to 4 in int arithmetic, which used to "agree" with intermediate_size 4
        assertRejected("{\"hidden_size\": 1073741825, \"num_hidden_layers\": 1, \"vocab_size\": 10, \"expand\": 4,"
                + " \"intermediate_size\": 4}", "expand × hidden_size = 4 × 1073741825 = 4294967300 is too large");
        assertRejected("{\"d_model\": 1073741824, \"n_layer\": 1, \"vocab_size\": 10}",
                "ssm_cfg.expand × d_model = 2 × 1073741824 = 2147483648 is too large");
        // used to give a padded vocabulary of -2147483640
        assertRejected("{\"d_model\": 64, \"n_layer\": 1, \"vocab_size\": 2147483647, \"pad_vocab_size_multiple\": 8}",
                "vocab_size 2147483647 padded to a multiple of 8 is 2147483648, too large");
        // dt_rank "auto" used to overflow to -134217727 for d_model near Integer.MAX_VALUE
        MambaConfig widest = MambaConfigs.parse("c", "{\"d_model\": 2147483647, \"n_layer\": 1, \"vocab_size\": 10,"
                + " \"ssm_cfg\": {\"expand\": 1}}").config();
        assertEquals(134217728, widest.dtRank()); // ceil((2^31 - 1) / 16)
    }
}
