package dev.dtp.core.generate;

/** Receives every generated token as soon as it is chosen (streaming). */
@FunctionalInterface
public interface TokenListener {
    void onToken(int tokenId);

    TokenListener NONE = id -> {};
}
