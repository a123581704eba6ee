package dev.dtp.core;

import java.util.Arrays;

/**
 * What a {@link PruningPolicy} returns for one layer: keep every current token, or keep the
 * listed ones. Indices are into the layer's current tokens (0 .. tokenCount-1), not original
 * positions; they must be strictly increasing.
 */
public final class Selection {
    private static final Selection KEEP_ALL = new Selection(null);

    private final int[] kept;

    private Selection(int[] kept) {
        this.kept = kept;
    }

    /** The common case; costs nothing. */
    public static Selection keepAll() {
        return KEEP_ALL;
    }

    /** Keep exactly these current-token indices (validated by the model against the layer). */
    public static Selection keep(int... currentIndices) {
        return new Selection(currentIndices.clone());
    }

    public boolean keepsAll() {
        return kept == null;
    }

    /** The kept indices, or null for keep-all. */
    public int[] indices() {
        return kept == null ? null : kept.clone();
    }

    /**
     * Checks the selection against a layer with {@code tokenCount} current tokens.
     *
     * @throws PolicyException naming the policy and the layer for duplicates, unordered or
     *     out-of-range indices, or an empty selection
     */
    public void validate(String policyName, int layer, int tokenCount) {
        validate(policyName, layer, tokenCount, false);
    }

    /**
     * As {@link #validate(String, int, int)}; with {@code allowEmpty} an empty selection is valid
     * (a prefix whose every token is withdrawn, continued later by text).
     */
    public void validate(String policyName, int layer, int tokenCount, boolean allowEmpty) {
        if (kept == null) {
            return;
        }
        String where = "policy '" + policyName + "' at layer " + layer + ": ";
        if (kept.length == 0 && !allowEmpty) {
            throw new PolicyException(where + "selection is empty; at least one token must remain");
        }
        for (int i = 0; i < kept.length; i++) {
            int k = kept[i];
            if (k < 0 || k >= tokenCount) {
                throw new PolicyException(where + "index " + k + " is outside [0, " + tokenCount + ")");
            }
            if (i > 0 && k == kept[i - 1]) {
                throw new PolicyException(where + "index " + k + " is selected twice");
            }
            if (i > 0 && k < kept[i - 1]) {
                throw new PolicyException(where + "indices are not increasing (" + kept[i - 1] + " before " + k + ")");
            }
        }
    }

    @Override
    public String toString() {
        return kept == null ? "keepAll" : "keep" + Arrays.toString(kept);
    }
}
