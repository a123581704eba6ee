package dev.dtp.core;

import java.util.ArrayList;
import java.util.Arrays;
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

    /** An empty trace over {@code layers} layers: the state before any token. */
    public static PruningTrace empty(int layers) {
        List<LayerTrace> list = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            list.add(new LayerTrace(l, new int[0], new int[0], new float[0]));
        }
        return new PruningTrace(TokenLayout.text(0), list);
    }

    /**
     * This trace continued by a chunk's: per layer, the chunk's positions after this trace's, over
     * the combined layout. Δ importance is kept only when both recorded it.
     *
     * @param combined the layout of everything consumed, this trace's layout followed by the chunk's
     * @param chunk the chunk's layer records, in original (combined) positions
     */
    public PruningTrace append(TokenLayout combined, List<LayerTrace> chunk) {
        if (chunk.size() != layers.size()) {
            throw new IllegalArgumentException("a trace over " + layers.size() + " layers cannot take a chunk over "
                    + chunk.size());
        }
        List<LayerTrace> out = new ArrayList<>(layers.size());
        for (int l = 0; l < layers.size(); l++) {
            LayerTrace a = layers.get(l);
            LayerTrace b = chunk.get(l);
            float[] importance = null;
            if (a.deltaImportance() != null && b.deltaImportance() != null) {
                importance = Arrays.copyOf(a.deltaImportance(), a.inputCount() + b.inputCount());
                System.arraycopy(b.deltaImportance(), 0, importance, a.inputCount(), b.inputCount());
            }
            out.add(new LayerTrace(l, concat(a.inputPositions(), b.inputPositions()),
                    concat(a.keptPositions(), b.keptPositions()), importance));
        }
        return new PruningTrace(combined, out);
    }

    /**
     * This trace followed by {@code count} text tokens that every layer processed (decoded tokens),
     * at positions {@code layout().length()} onward. Decoding records no Δ importance, so the result
     * has none.
     */
    public PruningTrace appendDecoded(int count) {
        if (count == 0) {
            return this;
        }
        int from = layout.length();
        int[] positions = new int[count];
        for (int i = 0; i < count; i++) {
            positions[i] = from + i;
        }
        List<LayerTrace> chunk = new ArrayList<>(layers.size());
        for (LayerTrace l : layers) {
            chunk.add(new LayerTrace(l.layer(), positions, positions, null));
        }
        return append(layout.appendText(count), chunk);
    }

    private static int[] concat(int[] a, int[] b) {
        if (a.length == 0) {
            return b;
        }
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
