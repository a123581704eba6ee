package dev.dtp.mamba.checkpoint;

/** The two naming conventions of Mamba checkpoints. */
public enum Layout {
    /**
     * Hugging Face {@code MambaForCausalLM}: config keys hidden_size, num_hidden_layers, state_size,
     * …; embedding tensor {@code backbone.embeddings.weight}.
     */
    HUGGING_FACE("backbone.embeddings.weight"),
    /**
     * The original {@code mamba_ssm} package (used by Cobra's language model): config keys d_model,
     * n_layer, ssm_cfg, pad_vocab_size_multiple; embedding tensor {@code backbone.embedding.weight}.
     */
    MAMBA_SSM("backbone.embedding.weight");

    private final String embeddingName;

    Layout(String embeddingName) {
        this.embeddingName = embeddingName;
    }

    public String embeddingName() {
        return embeddingName;
    }

    public String layerPrefix(int layer) {
        return "backbone.layers." + layer + ".";
    }
}
