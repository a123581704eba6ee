package dev.dtp.mamba.checkpoint;

/**
 * How long each {@code @FuzzTest} fuzzes when run with {@code -Pfuzz} (JAZZER_FUZZ=1). Jazzer 0.24
 * reads the limit only from the annotation; {@code jazzer.max_duration} arrived in 0.26. In the
 * normal build the fuzz tests only replay their inputs directories and this limit does not apply.
 */
final class FuzzDurations {
    static final String MAX_DURATION = "2m";

    private FuzzDurations() {}
}
