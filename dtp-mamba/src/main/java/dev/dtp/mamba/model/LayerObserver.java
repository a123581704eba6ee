package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees every layer's intermediates during a prefill (for analysis, e.g. implicit attention).
 * Arrays are valid only during the call; copy what must outlive it.
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
