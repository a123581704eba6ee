package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees every layer's intermediates during a prefill (for analysis, e.g. implicit attention).
 * Arrays are valid only during the call; copy what must outlive it, and never close them.
 *
 * <p>Two kinds of calls: {@link #onLayer} once per layer after its scan, with the tensors a
 * pruning analysis reads; and, for an observer whose {@link #observesStages} is true,
 * {@link #onStage} as each named {@link Stage} of the block finishes, in the order of
 * {@link Stage#values()} (the same probes that time a {@link PrefillProfile}). An observer that
 * does not ask for stages costs the prefill nothing beyond {@link #onLayer}.
 */
@FunctionalInterface
public interface LayerObserver {

    /** Names under which {@link LayerTensors#get} exposes a layer's intermediates. */
    String X = "x";
    String Z = "z";
    String DELTA = "delta";
    String B = "B";
    String C = "C";
    String Y = "y";

    void onLayer(LayerTensors tensors);

    /**
     * Whether this observer wants {@link #onStage} calls. Asked once per prefill; false (the default)
     * leaves the stage probes to the profile alone.
     */
    default boolean observesStages() {
        return false;
    }

    /**
     * One stage of a layer has produced {@code output}: the array the block goes on with (no copy),
     * valid only during the call. The project stages ({@link Stage#NORM} to {@link Stage#DELTA}) have
     * one row per token that entered the layer, the mix stages ({@link Stage#SCAN} to
     * {@link Stage#OUT_PROJ}) one per kept token; a layer whose policy kept nothing has no mix stages.
     * Called before the layer's {@link #onLayer}.
     *
     * @param layer layer index
     */
    default void onStage(int layer, Stage stage, NDArray output) {}

    /**
     * An observer of the stages alone (its {@link #onLayer} does nothing).
     */
    static LayerObserver ofStages(StageListener listener) {
        return new LayerObserver() {
            @Override
            public void onLayer(LayerTensors tensors) {}

            @Override
            public boolean observesStages() {
                return true;
            }

            @Override
            public void onStage(int layer, Stage stage, NDArray output) {
                listener.onStage(layer, stage, output);
            }
        };
    }

    /** The body of {@link #onStage}, for {@link #ofStages}. */
    @FunctionalInterface
    interface StageListener {
        void onStage(int layer, Stage stage, NDArray output);
    }

    /**
     * The named stages of a Mamba block in the order they run, each with what it outputs (L tokens
     * entered the layer, L_kept were kept by the policy) and the {@link PrefillProfile.Part} its time
     * is added to.
     */
    enum Stage {
        /** RMSNorm of the residual stream, (L, d_model). */
        NORM("norm", PrefillProfile.Part.NORM),
        /** The x half of in_proj, the conv input, (L, d_inner). */
        IN_PROJ_X("in_proj.x", PrefillProfile.Part.IN_PROJ),
        /** The z half of in_proj, the gate's input, (L, d_inner). */
        IN_PROJ_Z("in_proj.z", PrefillProfile.Part.IN_PROJ),
        /** x = SiLU(causal depthwise conv1d of the conv input), (L, d_inner). */
        CONV("conv", PrefillProfile.Part.CONV),
        /** x_proj(x) = [dt | B | C], (L, dt_rank + 2 d_state). */
        X_PROJ("x_proj", PrefillProfile.Part.X_PROJ),
        /** Δ = softplus(dt_proj(dt) + bias), the step size of Eq. 2, (L, d_inner). */
        DELTA("delta", PrefillProfile.Part.DT_PROJ),
        /** y of the selective scan (Eq. 2) including D·x, before the gate, (L_kept, d_inner). */
        SCAN("scan", PrefillProfile.Part.SCAN),
        /** y ⊙ SiLU(z), (L_kept, d_inner). */
        GATE("gate", PrefillProfile.Part.GATE),
        /** out_proj of the gated y: what the block adds to the residual stream, (L_kept, d_model). */
        OUT_PROJ("out_proj", PrefillProfile.Part.OUT_PROJ);

        private final String label;
        private final PrefillProfile.Part part;

        Stage(String label, PrefillProfile.Part part) {
            this.label = label;
            this.part = part;
        }

        /** The stage's name as written in the block's weights and in logs, e.g. {@code in_proj.x}. */
        public String label() {
            return label;
        }

        /** The profile part this stage's time is added to. */
        public PrefillProfile.Part part() {
            return part;
        }
    }

    /**
     * One layer's intermediates after its scan, restricted to the tokens the scan processed:
     * x (after conv and SiLU), z, Δ, B, C (L_kept × ·) and y (SSM output incl. D·x, before gating).
     *
     * @param layer layer index
     * @param keptPositions original positions of the rows
     * @param inputPositions original positions of the tokens that entered the layer
     * @param a the layer's A = −exp(A_log), (d_inner, d_state)
     */
    record LayerTensors(int layer, int[] inputPositions, int[] keptPositions, NDArray x, NDArray z, NDArray delta,
            NDArray b, NDArray c, NDArray y, NDArray a) {
        public NDArray get(String name) {
            return switch (name) {
                case X -> x;
                case Z -> z;
                case DELTA -> delta;
                case B -> b;
                case C -> c;
                case Y -> y;
                default -> throw new IllegalArgumentException("unknown intermediate '" + name
                        + "'; known: x, z, delta, B, C, y");
            };
        }
    }
}
