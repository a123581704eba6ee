package dev.dtp.core;

import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A model with a fixed pruning policy: the same prefill and generate calls as the plain model;
 * results carry the {@link PruningTrace}.
 */
public final class PrunedModel {
    private final PrunableModel model;
    private final PruningPolicy policy;

    PrunedModel(PrunableModel model, PruningPolicy policy) {
        this.model = Objects.requireNonNull(model, "model");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public PruningPolicy policy() {
        return policy;
    }

    public PrunableModel model() {
        return model;
    }

    public Prefill prefill(ModelInput input) {
        return model.prefill(input, policy, PrefillOptions.DEFAULT);
    }

    public Prefill prefill(ModelInput input, PrefillOptions options) {
        return model.prefill(input, policy, options);
    }

    /** Continues a state with more tokens (see {@link PrunableModel#prefill(SequenceState, ModelInput, PruningPolicy, PrefillOptions)}). */
    public Prefill prefill(SequenceState state, ModelInput input) {
        return model.prefill(state, input, policy, PrefillOptions.DEFAULT);
    }

    public Prefill prefill(SequenceState state, ModelInput input, PrefillOptions options) {
        return model.prefill(state, input, policy, options);
    }

    /** The state after {@code input}: e.g. an image's, for many questions about it. */
    public SequenceState prefix(ModelInput input) {
        return model.prefix(null, input, policy, PrefillOptions.DEFAULT);
    }

    /** The state after continuing {@code state} with {@code input}. */
    public SequenceState prefix(SequenceState state, ModelInput input) {
        return model.prefix(state, input, policy, PrefillOptions.DEFAULT);
    }

    /**
     * Reads a saved state; it must come from this model and this policy.
     *
     * @throws PolicyException naming both policies when the state was pruned with another
     */
    public SequenceState loadState(Path file) {
        SequenceState state = model.loadState(file);
        if (!state.policy().equals(policy.name())) {
            String saved = state.policy();
            state.close();
            throw new PolicyException(file + ": the state was pruned with policy '" + saved
                    + "', not with '" + policy.name() + "'");
        }
        return state;
    }

    /** Continues a state with {@code input} and generates the answer. */
    public Generation generate(SequenceState state, ModelInput input, GenerationConfig config) {
        return model.generate(state, input, config, policy, TokenListener.NONE);
    }

    /** Batched generation (see {@link PrunableModel#generate(List, List, PruningPolicy)}). */
    public List<Generation> generate(List<ModelInput> inputs, GenerationConfig config) {
        return model.generate(inputs, Collections.nCopies(inputs.size(), config), policy);
    }

    public List<Generation> generate(List<ModelInput> inputs, List<GenerationConfig> configs) {
        return model.generate(inputs, configs, policy);
    }

    public Generation generate(ModelInput input, GenerationConfig config) {
        return model.generate(input, config, policy, TokenListener.NONE);
    }

    public Generation generate(ModelInput input, GenerationConfig config, TokenListener listener) {
        return model.generate(input, config, policy, listener);
    }
}
