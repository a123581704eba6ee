package dev.dtp.mamba.vision;

/** The projector's architecture, named as Cobra's {@code arch_specifier} names it. */
public enum ProjectorKind {
    /** Linear(F → 4F) → GELU → Linear(4F → d) → GELU → Linear(d → d): keys projector.0/2/4 (Cobra). */
    FUSED_GELU_MLP("fused-gelu-mlp"),
    /** Linear(F → d) → GELU → Linear(d → d): keys projector.0/2 (LLaVA-1.5 style). */
    GELU_MLP("gelu-mlp"),
    /** Linear(F → d): key projector.0. */
    LINEAR("linear");

    private final String id;

    ProjectorKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Indices of the Linear layers inside the Sequential, as in the checkpoint keys. */
    public int[] linearIndices() {
        return switch (this) {
            case FUSED_GELU_MLP -> new int[] {0, 2, 4};
            case GELU_MLP -> new int[] {0, 2};
            case LINEAR -> new int[] {0};
        };
    }

    /** Output widths of the Linear layers for feature width F and model width d. */
    public int[] widths(int featureWidth, int dModel) {
        return switch (this) {
            case FUSED_GELU_MLP -> new int[] {4 * featureWidth, dModel, dModel};
            case GELU_MLP -> new int[] {dModel, dModel};
            case LINEAR -> new int[] {dModel};
        };
    }
}
