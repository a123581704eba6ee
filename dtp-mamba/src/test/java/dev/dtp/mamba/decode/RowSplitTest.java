package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RowSplitTest {
    /** Bytes per row that make every pass below split into several chunks. */
    private static final long ROW_BYTES = RowSplit.MIN_BYTES;

    private static void assertEachRowOnce(AtomicIntegerArray counts, String what) {
        for (int r = 0; r < counts.length(); r++) {
            assertEquals(1, counts.get(r), what + ": row " + r);
        }
    }

    private static AtomicIntegerArray pass(int rows) {
        AtomicIntegerArray counts = new AtomicIntegerArray(rows);
        RowSplit.run(rows, ROW_BYTES, (from, to) -> {
            for (int r = from; r < to; r++) {
                counts.incrementAndGet(r);
            }
        });
        return counts;
    }

    @Test
    void everyRowRunsExactlyOnceOverManyPasses() {
        for (int k = 0; k < 2000; k++) { // back to back, as a decode step's passes come, and with pauses that let the workers park
            int rows = 1 + k % 37;
            assertEachRowOnce(pass(rows), "pass " + k + " over " + rows + " rows");
            if (k % 500 == 499) {
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Thread.sleep(2));
            }
        }
    }

    @Test
    void chunksStartOnWholeGranulesAndEachHoldsOneAtLeast() {
        for (int rows = 1; rows < 300; rows += 7) {
            for (int granule : new int[] {1, 16, 32}) {
                AtomicIntegerArray counts = new AtomicIntegerArray(rows);
                List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());
                RowSplit.run(rows, ROW_BYTES, granule, (from, to) -> {
                    chunks.add(new int[] {from, to});
                    for (int r = from; r < to; r++) {
                        counts.incrementAndGet(r);
                    }
                });
                String what = rows + " rows, granule " + granule;
                assertEachRowOnce(counts, what);
                for (int[] c : chunks) {
                    assertEquals(0, c[0] % granule, what + ": a chunk starts at " + c[0]);
                    assertTrue(c[1] == rows || c[1] % granule == 0, what + ": a chunk ends at " + c[1]);
                    assertTrue(c[1] - c[0] >= Math.min(granule, rows), what + ": chunk [" + c[0] + ", " + c[1] + ")");
                }
                assertTrue(rows < 2 * granule || chunks.size() > 1, what + ": " + chunks.size() + " chunk(s)");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> RowSplit.run(8, ROW_BYTES, 0, (from, to) -> { }));
    }

    @Test
    void aFailingChunkFailsThePassAndTheNextPassRuns() {
        IllegalStateException thrown = new IllegalStateException("row 5");
        IllegalStateException seen = assertThrows(IllegalStateException.class, () -> RowSplit.run(16, ROW_BYTES, (from, to) -> {
            if (from <= 5 && 5 < to) {
                throw thrown;
            }
        }));
        assertSame(thrown, seen);
        assertEachRowOnce(pass(16), "the pass after the failure");
    }

    @Test
    void concurrentAndNestedPassesComplete() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int threads = 3;
            CountDownLatch start = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] callers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                callers[t] = new Thread(() -> {
                    try {
                        start.await();
                        for (int k = 0; k < 300; k++) {
                            assertEachRowOnce(pass(8 + k % 13), "a concurrent pass");
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                callers[t].start();
            }
            start.countDown();
            // a pass started from inside a pass's chunk, on this thread meanwhile
            AtomicIntegerArray outer = new AtomicIntegerArray(8);
            RowSplit.run(8, ROW_BYTES, (from, to) -> {
                for (int r = from; r < to; r++) {
                    assertEachRowOnce(pass(10), "an inner pass");
                    outer.incrementAndGet(r);
                }
            });
            assertEachRowOnce(outer, "the outer pass");
            for (Thread c : callers) {
                c.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        });
    }
}
