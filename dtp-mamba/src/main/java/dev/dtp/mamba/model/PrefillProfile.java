package dev.dtp.mamba.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * Wall time of a prefill split by part of the block, for benchmarks. On the CPU libtorch runs each
 * op synchronously, so timing around the calls measures the ops themselves. The block's stages
 * reach it through the same probes that show a {@link LayerObserver} their outputs (each
 * {@link LayerObserver.Stage} adds to its {@link LayerObserver.Stage#part}); the model around the
 * blocks times its own parts. Not thread-safe: one profile per prefill.
 */
public final class PrefillProfile {
    /** The parts of a Mamba block (and the model around it). */
    public enum Part {
        EMBED, NORM, IN_PROJ, CONV, X_PROJ, DT_PROJ, SCAN, GATE, OUT_PROJ, RESIDUAL, POLICY, GATHER, LM_HEAD;

        /** True for the four projections (matrix multiplications). */
        public boolean isProjection() {
            return this == IN_PROJ || this == X_PROJ || this == DT_PROJ || this == OUT_PROJ;
        }
    }

    static final PrefillProfile NONE = new PrefillProfile(false);

    private final boolean enabled;
    private final long[] nanos = new long[Part.values().length];
    /** When the current stage began (see {@link #begin} and {@link #done}). */
    private long mark;

    private PrefillProfile(boolean enabled) {
        this.enabled = enabled;
    }

    public PrefillProfile() {
        this(true);
    }

    long start() {
        return enabled ? System.nanoTime() : 0;
    }

    /** Adds the time since {@code start} to {@code part}; returns now, the start of the next part. */
    long stop(Part part, long start) {
        if (!enabled) {
            return 0;
        }
        long now = System.nanoTime();
        nanos[part.ordinal()] += now - start;
        return now;
    }

    /** Starts timing a run of stages; each {@link #done} closes one and starts the next. */
    PrefillProfile begin() {
        if (enabled) {
            mark = System.nanoTime();
        }
        return this;
    }

    /**
     * The probe of one stage: adds the time since the previous stage ended to {@code part} and
     * returns {@code value}, so that a stage reads as one statement of the block's math.
     */
    <T> T done(Part part, T value) {
        if (enabled) {
            long now = System.nanoTime();
            nanos[part.ordinal()] += now - mark;
            mark = now;
        }
        return value;
    }

    public long nanos(Part part) {
        return nanos[part.ordinal()];
    }

    public Map<Part, Long> byPart() {
        Map<Part, Long> out = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            out.put(p, nanos[p.ordinal()]);
        }
        return out;
    }

    public long total() {
        long sum = 0;
        for (long n : nanos) {
            sum += n;
        }
        return sum;
    }
}
