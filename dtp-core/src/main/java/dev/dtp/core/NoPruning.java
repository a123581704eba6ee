package dev.dtp.core;

/** Keeps every token at every layer. */
final class NoPruning implements PruningPolicy {
    static final NoPruning INSTANCE = new NoPruning();

    private NoPruning() {}

    @Override
    public Selection select(LayerContext context) {
        return Selection.keepAll();
    }

    @Override
    public boolean prefixSafe() {
        return true;
    }

    @Override
    public String name() {
        return "none";
    }
}
