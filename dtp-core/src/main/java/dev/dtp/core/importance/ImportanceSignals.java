package dev.dtp.core.importance;

import ai.djl.ndarray.NDArray;
import dev.dtp.core.LayerContext;
import dev.dtp.core.PolicyException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in importance signals (paper Eq. 6 and Table 3) and a registry for spec strings. */
public final class ImportanceSignals {
    private ImportanceSignals() {}

    /** Eq. 6: s_j = (1/D) Σ_d Δ_{j,d}. The paper's default. */
    public static final ImportanceSignal DELTA = new MeanOverLastAxis("delta", 0) {
        @Override
        NDArray source(LayerContext c) {
            return c.delta();
        }
    };

    /** Mean over d_state of B_j. */
    public static final ImportanceSignal B = new MeanOverLastAxis("b", 0) {
        @Override
        NDArray source(LayerContext c) {
            return c.b();
        }
    };

    /** Mean over d_state of C_j. */
    public static final ImportanceSignal C = new MeanOverLastAxis("c", 0) {
        @Override
        NDArray source(LayerContext c) {
            return c.c();
        }
    };

    /**
     * Mean over d_inner of the previous layer's SSM output y_j. Available one layer late: a
     * y-based selection "at layer ℓ" happens at the input of layer ℓ+1.
     */
    public static final ImportanceSignal Y = new MeanOverLastAxis("y", 1) {
        @Override
        NDArray source(LayerContext c) {
            NDArray y = c.previousY();
            if (y == null) {
                throw new PolicyException("y importance is unavailable at layer " + c.layer()
                        + ": it comes from the previous layer's scan output");
            }
            return y;
        }
    };

    private static final Map<String, ImportanceSignal> REGISTRY = new ConcurrentHashMap<>(
            Map.of("delta", DELTA, "y", Y, "b", B, "c", C));

    /** Makes a custom signal usable as {@code signal=NAME} in policy specs. */
    public static void register(ImportanceSignal signal) {
        REGISTRY.put(signal.name().toLowerCase(Locale.ROOT), signal);
    }

    public static ImportanceSignal byName(String name) {
        ImportanceSignal s = REGISTRY.get(name.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new PolicyException("unknown importance signal '" + name + "'; known: " + REGISTRY.keySet());
        }
        return s;
    }

    private abstract static class MeanOverLastAxis implements ImportanceSignal {
        private final String name;
        private final int lag;

        MeanOverLastAxis(String name, int lag) {
            this.name = name;
            this.lag = lag;
        }

        abstract NDArray source(LayerContext c);

        @Override
        public String name() {
            return name;
        }

        @Override
        public int lag() {
            return lag;
        }

        @Override
        public float[] score(LayerContext context) {
            try (NDArray mean = source(context).mean(new int[] {1})) {
                return mean.toFloatArray();
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
