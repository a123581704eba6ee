package dev.dtp.core;

import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;

/** A model whose prefill can be pruned by a {@link PruningPolicy}; see {@link DtpPruner}. */
public interface PrunableModel {

    int layerCount();

    /** The model's DTP layers and keep ratio (from its card or calibration). */
    PruningDefaults pruningDefaults();

    Prefill prefill(ModelInput input, PruningPolicy policy, PrefillOptions options);

    Generation generate(ModelInput input, GenerationConfig config, PruningPolicy policy, TokenListener listener);

    default Prefill prefill(ModelInput input) {
        return prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT);
    }

    default Generation generate(ModelInput input, GenerationConfig config) {
        return generate(input, config, PruningPolicy.none(), TokenListener.NONE);
    }
}
