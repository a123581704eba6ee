package dev.dtp.core;

/**
 * A model's DTP settings: the early layer (selective pruning), the keep ratio r and the late
 * layer (complete pruning), as found by calibration or given in its model card.
 */
public record PruningDefaults(int early, double keepRatio, int late) {
    public PruningDefaults {
        if (!(keepRatio > 0 && keepRatio <= 1)) {
            throw new PolicyException("keep ratio r must be in (0, 1], got " + keepRatio);
        }
        if (early < 0 || late <= early) {
            throw new PolicyException("DTP layers need 0 <= early < late, got early=" + early + ", late=" + late);
        }
    }

    /** The paper's layers for a model of {@code layers} layers: 15 and 45 of 64, scaled otherwise. */
    public static PruningDefaults paperDefaults(int layers) {
        int early = Math.max(0, (int) Math.round(layers * 15.0 / 64));
        int late = Math.max(early + 1, Math.min(layers - 1, (int) Math.round(layers * 45.0 / 64)));
        return new PruningDefaults(early, 0.5, late);
    }
}
