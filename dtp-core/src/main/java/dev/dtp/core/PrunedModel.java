package dev.dtp.core;

import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
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

    public Generation generate(ModelInput input, GenerationConfig config) {
        return model.generate(input, config, policy, TokenListener.NONE);
    }

    public Generation generate(ModelInput input, GenerationConfig config, TokenListener listener) {
        return model.generate(input, config, policy, listener);
    }
}
