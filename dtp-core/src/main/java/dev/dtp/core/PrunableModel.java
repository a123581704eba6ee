package dev.dtp.core;

import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A model whose prefill can be pruned by a {@link PruningPolicy}; see {@link DtpPruner}. */
public interface PrunableModel {

    int layerCount();

    /** The model's DTP layers and keep ratio (from its card or calibration). */
    PruningDefaults pruningDefaults();

    Prefill prefill(ModelInput input, PruningPolicy policy, PrefillOptions options);

    Generation generate(ModelInput input, GenerationConfig config, PruningPolicy policy, TokenListener listener);

    /**
     * Continues {@code state} with {@code input}: the same logits, trace and decode afterwards as
     * one prefill of everything the state consumed followed by {@code input}. The policy must be
     * {@link PruningPolicy#prefixSafe() prefix-safe} (unless the state is empty) and the one the
     * state was pruned with.
     *
     * @param state where to start, or null for the start of a sequence
     */
    default Prefill prefill(SequenceState state, ModelInput input, PruningPolicy policy, PrefillOptions options) {
        if (state == null) {
            return prefill(input, policy, options);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot continue from a state");
    }

    /**
     * The state after {@code input} (continuing {@code state}, or from the start when null), without
     * next-token logits being required: a prefix may end with every token withdrawn.
     */
    default SequenceState prefix(SequenceState state, ModelInput input, PruningPolicy policy, PrefillOptions options) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot save its state");
    }

    /** Continues {@code state} with {@code input} and generates from there. */
    default Generation generate(SequenceState state, ModelInput input, GenerationConfig config, PruningPolicy policy,
            TokenListener listener) {
        if (state == null) {
            return generate(input, config, policy, listener);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot continue from a state");
    }

    /** Reads a state that {@link SequenceState#save} wrote for this model (fingerprint checked). */
    default SequenceState loadState(Path file) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot load a state");
    }

    /**
     * Generates for several inputs at once: each prefill on its own, then one batched decode step
     * for all unfinished sequences (each weight read once per step for the whole batch). Greedy
     * results equal {@link #generate} one at a time; sampling is seeded per sequence by its own
     * config.
     */
    default List<Generation> generate(List<ModelInput> inputs,
            List<GenerationConfig> configs, PruningPolicy policy) {
        if (inputs.size() != configs.size()) {
            throw new InputException(inputs.size() + " inputs but " + configs.size() + " generation configs");
        }
        List<Generation> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            out.add(generate(inputs.get(i), configs.get(i), policy, TokenListener.NONE));
        }
        return out;
    }

    default Prefill prefill(ModelInput input) {
        return prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT);
    }

    default Generation generate(ModelInput input, GenerationConfig config) {
        return generate(input, config, PruningPolicy.none(), TokenListener.NONE);
    }
}
