package dev.dtp.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.bench.eval.SampleResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedCommitTest {
    static SampleResult answer(String id) {
        return new SampleResult("none", id, "count", null, "2", 1, 1, 0, true, "generate", null, null);
    }

    @Test
    void releasesPartitionsInOrderWhateverOrderTheyFinishIn() {
        List<String> sink = new ArrayList<>();
        OrderedCommit commit = new OrderedCommit(3, r -> sink.add(r.id()));
        commit.accept(2, List.of(answer("e")));
        commit.accept(1, List.of(answer("c"), answer("d")));
        assertEquals(List.of(), sink);
        assertFalse(commit.complete());
        commit.accept(0, List.of(answer("a"), answer("b")));
        assertEquals(List.of("a", "b", "c", "d", "e"), sink);
        assertTrue(commit.complete());
    }

    @Test
    void aPartitionCommittedTwiceIsAnError() {
        OrderedCommit commit = new OrderedCommit(2, r -> {});
        commit.accept(1, List.of(answer("b")));
        assertThrows(IllegalStateException.class, () -> commit.accept(1, List.of(answer("b"))));
        commit.accept(0, List.of(answer("a")));
        assertThrows(IllegalStateException.class, () -> commit.accept(0, List.of(answer("a"))));
    }
}
