package dev.dtp.core;

import dev.dtp.core.policy.Dtp;

/** Entry point: wrap a model so that every prefill is pruned. */
public final class DtpPruner {
    private DtpPruner() {}

    /** DTP at the model's defaults (its card's layers, r = 0.5 unless the card says otherwise). */
    public static PrunedModel wrap(PrunableModel model) {
        PruningDefaults d = model.pruningDefaults();
        return new PrunedModel(model, new Dtp(d.early(), d.keepRatio(), d.late()));
    }

    /** Any policy. */
    public static PrunedModel wrap(PrunableModel model, PruningPolicy policy) {
        return new PrunedModel(model, policy);
    }
}
