package dev.dtp.core;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A prefill input: token ids and input embeddings in sequence order. Embedding segments are how
 * visual tokens (projected image patches) enter the model; each embedding segment is one visual
 * span unless built with another kind. The caller owns the embedding arrays.
 */
public final class ModelInput {

    /** One run of the input: either token ids or embedding rows (rows, d_model). */
    public record Segment(TokenKind kind, int[] ids, NDArray embeddings) {
        public int length() {
            return ids != null ? ids.length : Math.toIntExact(embeddings.getShape().get(0));
        }

        public boolean isEmbedding() {
            return embeddings != null;
        }
    }

    private final List<Segment> segments;
    private final TokenLayout layout;

    private ModelInput(List<Segment> segments) {
        this.segments = List.copyOf(segments);
        List<TokenLayout.Span> spans = new ArrayList<>();
        int length = 0;
        for (Segment s : segments) {
            if (s.kind() == TokenKind.VISUAL) {
                spans.add(new TokenLayout.Span(length, s.length()));
            }
            length += s.length();
        }
        if (length == 0) {
            throw new InputException("input is empty: at least one token or embedding row is required");
        }
        TokenLayout visual = TokenLayout.withSpans(length, spans);
        TokenKind[] kinds = new TokenKind[length];
        int p = 0;
        for (Segment s : segments) {
            for (int i = 0; i < s.length(); i++, p++) {
                kinds[p] = s.kind() == TokenKind.VISUAL ? TokenKind.VISUAL : s.kind();
            }
        }
        // keep explicit span boundaries (two adjacent images stay two spans)
        this.layout = spans.isEmpty() ? TokenLayout.of(kinds) : visual;
    }

    public static ModelInput ofIds(int... ids) {
        return builder().text(ids).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Segment> segments() {
        return segments;
    }

    public TokenLayout layout() {
        return layout;
    }

    public int length() {
        return layout.length();
    }

    /** Builds an input segment by segment. */
    public static final class Builder {
        private final List<Segment> segments = new ArrayList<>();

        public Builder text(int... ids) {
            if (ids.length > 0) {
                segments.add(new Segment(TokenKind.TEXT, ids.clone(), null));
            }
            return this;
        }

        public Builder special(int... ids) {
            if (ids.length > 0) {
                segments.add(new Segment(TokenKind.SPECIAL, ids.clone(), null));
            }
            return this;
        }

        /** One image's visual tokens: rows of shape (V, d_model). */
        public Builder visual(NDArray embeddings) {
            return embeddings(TokenKind.VISUAL, embeddings);
        }

        public Builder embeddings(TokenKind kind, NDArray embeddings) {
            if (embeddings.getShape().dimension() != 2) {
                throw new InputException("embeddings must have shape (rows, d_model), got " + embeddings.getShape());
            }
            if (embeddings.getShape().get(0) > 0) {
                segments.add(new Segment(kind, null, embeddings));
            }
            return this;
        }

        public ModelInput build() {
            return new ModelInput(segments);
        }
    }
}
