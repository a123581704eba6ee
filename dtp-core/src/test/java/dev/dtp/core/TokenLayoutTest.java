package dev.dtp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Visual spans are checked against the sequence: inside it, non-empty, not overlapping. */
class TokenLayoutTest {
    @Test
    void acceptsDisjointSpansInside() {
        TokenLayout l = TokenLayout.withSpans(10, List.of(new TokenLayout.Span(0, 3), new TokenLayout.Span(3, 2),
                new TokenLayout.Span(7, 3)));
        assertEquals(8, l.count(TokenKind.VISUAL));
        assertEquals(2, l.count(TokenKind.TEXT));
        assertEquals(1, l.spanOf(3));
        assertEquals(-1, l.spanOf(5));
    }

    @Test
    void rejectsASpanOutsideTheSequence() {
        InputException e = assertThrows(InputException.class,
                () -> TokenLayout.withSpans(10, List.of(new TokenLayout.Span(8, 3))));
        assertTrue(e.getMessage().contains("[8, 11) lies outside the sequence of length 10"), e.getMessage());
        assertThrows(InputException.class, () -> TokenLayout.withSpans(10, List.of(new TokenLayout.Span(-1, 2))));
    }

    @Test
    void rejectsOverlappingSpans() {
        InputException e = assertThrows(InputException.class,
                () -> TokenLayout.withSpans(10, List.of(new TokenLayout.Span(0, 4), new TokenLayout.Span(3, 2))));
        assertTrue(e.getMessage().contains("[3, 5) overlaps another span ending at 4"), e.getMessage());
    }

    @Test
    void rejectsEmptyAndNullKinds() {
        assertThrows(InputException.class, () -> TokenLayout.withSpans(10, List.of(new TokenLayout.Span(2, 0))));
        assertThrows(InputException.class, () -> TokenLayout.of(TokenKind.TEXT, null));
        assertThrows(InputException.class, () -> ModelInput.builder().build());
    }
}
