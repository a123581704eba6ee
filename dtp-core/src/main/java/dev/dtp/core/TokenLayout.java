package dev.dtp.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kind of every position of an input sequence, and its visual spans (one per image).
 * Immutable; positions are 0-based in the full input sequence.
 */
public final class TokenLayout {

    /** A run of consecutive visual positions coming from one image. */
    public record Span(int start, int length) {
        public int end() {
            return start + length;
        }
    }

    private final TokenKind[] kinds;
    private final List<Span> visualSpans;

    private TokenLayout(TokenKind[] kinds, List<Span> visualSpans) {
        this.kinds = kinds;
        this.visualSpans = List.copyOf(visualSpans);
    }

    /** Layout from per-position kinds; each maximal run of VISUAL positions is one span. */
    public static TokenLayout of(TokenKind... kinds) {
        List<Span> spans = new ArrayList<>();
        int i = 0;
        while (i < kinds.length) {
            if (kinds[i] == null) {
                throw new InputException("token kind at position " + i + " is null");
            }
            if (kinds[i] == TokenKind.VISUAL) {
                int start = i;
                while (i < kinds.length && kinds[i] == TokenKind.VISUAL) {
                    i++;
                }
                spans.add(new Span(start, i - start));
            } else {
                i++;
            }
        }
        return new TokenLayout(kinds.clone(), spans);
    }

    /** Layout with explicit visual spans, so that two adjacent images stay two spans. */
    public static TokenLayout withSpans(int length, List<Span> visualSpans) {
        TokenKind[] kinds = new TokenKind[length];
        Arrays.fill(kinds, TokenKind.TEXT);
        List<Span> sorted = new ArrayList<>(visualSpans);
        sorted.sort((a, b) -> Integer.compare(a.start(), b.start()));
        int previousEnd = 0;
        for (Span s : sorted) {
            if (s.length() <= 0 || s.start() < 0 || s.end() > length) {
                throw new InputException("visual span [" + s.start() + ", " + s.end()
                        + ") lies outside the sequence of length " + length);
            }
            if (s.start() < previousEnd) {
                throw new InputException("visual span [" + s.start() + ", " + s.end()
                        + ") overlaps another span ending at " + previousEnd);
            }
            Arrays.fill(kinds, s.start(), s.end(), TokenKind.VISUAL);
            previousEnd = s.end();
        }
        return new TokenLayout(kinds, sorted);
    }

    /**
     * Layout from per-position kinds and explicit visual spans, which must cover exactly the
     * VISUAL positions (e.g. read back from a saved state).
     */
    public static TokenLayout of(TokenKind[] kinds, List<Span> visualSpans) {
        TokenLayout spans = withSpans(kinds.length, visualSpans);
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == null || (kinds[i] == TokenKind.VISUAL) != (spans.kinds[i] == TokenKind.VISUAL)) {
                throw new InputException("position " + i + " is " + kinds[i] + " but the visual spans say otherwise");
            }
        }
        return new TokenLayout(kinds.clone(), spans.visualSpans);
    }

    /** Text positions only. */
    public static TokenLayout text(int length) {
        return withSpans(length, List.of());
    }

    /** {@code visual} visual positions starting at {@code visualAt}, text elsewhere. */
    public static TokenLayout textWithImage(int length, int visualAt, int visual) {
        return withSpans(length, visual == 0 ? List.of() : List.of(new Span(visualAt, visual)));
    }

    /**
     * This layout followed by {@code next}: the layout of a sequence continued by another chunk.
     * Spans keep their boundaries (an image of the next chunk stays its own span).
     */
    public TokenLayout append(TokenLayout next) {
        TokenKind[] all = Arrays.copyOf(kinds, kinds.length + next.kinds.length);
        System.arraycopy(next.kinds, 0, all, kinds.length, next.kinds.length);
        List<Span> spans = new ArrayList<>(visualSpans);
        for (Span s : next.visualSpans) {
            spans.add(new Span(kinds.length + s.start(), s.length()));
        }
        return new TokenLayout(all, spans);
    }

    /** This layout followed by {@code count} text positions (tokens fed by decoding). */
    public TokenLayout appendText(int count) {
        return count == 0 ? this : append(text(count));
    }

    public int length() {
        return kinds.length;
    }

    /** Two layouts are equal when their kinds and visual spans are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TokenLayout t && Arrays.equals(kinds, t.kinds) && visualSpans.equals(t.visualSpans);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kinds) + visualSpans.hashCode();
    }

    public TokenKind kind(int position) {
        return kinds[position];
    }

    public List<Span> visualSpans() {
        return visualSpans;
    }

    public int count(TokenKind kind) {
        int n = 0;
        for (TokenKind k : kinds) {
            if (k == kind) {
                n++;
            }
        }
        return n;
    }

    /** Index of the visual span holding {@code position}, or -1. */
    public int spanOf(int position) {
        for (int s = 0; s < visualSpans.size(); s++) {
            Span span = visualSpans.get(s);
            if (position >= span.start() && position < span.end()) {
                return s;
            }
        }
        return -1;
    }
}
