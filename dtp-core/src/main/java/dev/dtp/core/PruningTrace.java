package dev.dtp.core;

import java.util.List;

/**
 * What a prefill did at every layer: which original positions entered the layer (and had Δ
 * computed) and which the layer's scan processed.
 */
public record PruningTrace(TokenLayout layout, List<LayerTrace> layers) {

    public PruningTrace {
        layers = List.copyOf(layers);
    }

    /**
     * One layer's record.
     *
     * @param layer layer index
     * @param inputPositions original positions of the tokens that entered the layer
     * @param keptPositions original positions the layer's scan processed
     * @param deltaImportance mean over d_inner of Δ for every input token (Eq. 6), or null when
     *     not recorded
     */
    public record LayerTrace(int layer, int[] inputPositions, int[] keptPositions, float[] deltaImportance) {
        public int inputCount() {
            return inputPositions.length;
        }

        public int keptCount() {
            return keptPositions.length;
        }
    }

    public LayerTrace layer(int index) {
        return layers.get(index);
    }

    /** How many tokens of {@code kind} layer {@code index}'s scan processed. */
    public int keptCount(int index, TokenKind kind) {
        int n = 0;
        for (int p : layers.get(index).keptPositions()) {
            if (layout.kind(p) == kind) {
                n++;
            }
        }
        return n;
    }

    /** Tokens processed by each layer's scan, in layer order. */
    public int[] keptCounts() {
        return layers.stream().mapToInt(LayerTrace::keptCount).toArray();
    }
}
