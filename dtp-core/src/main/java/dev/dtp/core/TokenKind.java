package dev.dtp.core;

/** What a position of the input sequence holds. Pruning policies drop VISUAL tokens; TEXT and SPECIAL are kept unless a policy says otherwise. */
public enum TokenKind {
    TEXT,
    VISUAL,
    SPECIAL
}
