package dev.dtp.mamba.decode;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;

/**
 * Splits the rows of one pass over the cores: contiguous chunks, claimed in turn by the calling
 * thread and the decode workers (one per further core). A decode step is about a hundred passes of
 * 20–500 µs each, back to back; waking a parked fork-join worker for each cost more than some
 * passes take, so the workers spin briefly after a pass ({@link #SPIN_NANOS}) and only then park
 * — during a decode they are always awake, and between requests they cost nothing. Chunks are at
 * least {@link #MIN_BYTES} of weights (smaller ones cost more to hand off than to compute) and
 * several per core, claimed as they come free, so that a core another process holds back does
 * not stall the pass. Which thread computes a chunk never changes its results: every row kernel
 * forms each output from its own row alone.
 *
 * <p>One pass runs on the workers at a time. A second thread's pass, or a pass started from inside
 * a pass, runs on the common fork-join pool instead (the same chunks, the same results).
 */
final class RowSplit {
    /** Work in one chunk: rows [from, to). */
    interface Rows {
        void run(int from, int to);
    }

    static final int MIN_BYTES = 1 << 16;
    private static final int CHUNKS_PER_CORE = 4;
    /** How long an idle worker polls for the next pass before it parks. */
    private static final long SPIN_NANOS = 100_000;
    private static final Workers WORKERS = new Workers(Runtime.getRuntime().availableProcessors() - 1);

    private RowSplit() {}

    /** Runs {@code body} over [0, rows) in parallel chunks; {@code rowBytes}: weight bytes a row reads. */
    static void run(int rows, long rowBytes, Rows body) {
        run(rows, rowBytes, 1, body);
    }

    /**
     * {@link #run(int, long, Rows)} with every chunk boundary but the last a multiple of {@code granule}
     * rows, and the last chunk taking the rows past the last whole granule too: every chunk then holds
     * at least one whole block of the rows a batch kernel takes at a time ({@link RowMatrix#batchGranule}),
     * so that no chunk cuts a block and leaves its rows to a slower kernel. (x_proj's 80 rows in two
     * chunks of two and three 16-row panels, where seven chunks of eleven or twelve rows held none.)
     */
    static void run(int rows, long rowBytes, int granule, Rows body) {
        if (granule < 1) {
            throw new IllegalArgumentException("granule " + granule);
        }
        int units = Math.max(1, rows / granule);
        int cores = Runtime.getRuntime().availableProcessors();
        long byWork = rows * Math.max(1, rowBytes) / MIN_BYTES;
        int chunks = (int) Math.max(1, Math.min(Math.min(units, (long) cores * CHUNKS_PER_CORE), byWork));
        if (chunks == 1) {
            body.run(0, rows);
            return;
        }
        Pass pass = new Pass(body, rows, units, granule, chunks);
        if (!WORKERS.run(pass)) {
            IntStream.range(0, chunks).parallel().forEach(c -> pass.chunk(c));
        }
    }

    /** One pass: its chunks, claimed by whichever thread comes next, and how many have finished. */
    private static final class Pass {
        final Rows body;
        final int rows;
        final int units;
        final int granule;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Pass(Rows body, int rows, int units, int granule, int chunks) {
            this.body = body;
            this.rows = rows;
            this.units = units;
            this.granule = granule;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none is left. */
        void claimAll() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    chunk(c);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finished.incrementAndGet();
                }
            }
        }

        void chunk(int c) {
            body.run(boundary(c), boundary(c + 1));
        }

        /** Chunk c's first row: c/chunks of the units, in whole units; the end of the rows for c = chunks. */
        private int boundary(int c) {
            return c == chunks ? rows : granule * (int) ((long) units * c / chunks); // units · granule ≤ rows
        }
    }

    /** The decode workers: daemon threads that take part in the current pass. */
    private static final class Workers {
        private final ReentrantLock owner = new ReentrantLock();
        private final Thread[] threads;
        private final boolean[] parked;
        private volatile Pass current;
        private volatile long generation;

        Workers(int count) {
            threads = new Thread[count];
            parked = new boolean[count];
            for (int i = 0; i < count; i++) {
                int id = i;
                threads[i] = new Thread(() -> work(id), "dtp-decode-" + (i + 1));
                threads[i].setDaemon(true);
                threads[i].start();
            }
        }

        /** Runs {@code pass} with the workers' help; false when they are busy with another pass. */
        boolean run(Pass pass) {
            if (threads.length == 0 || owner.isHeldByCurrentThread() || !owner.tryLock()) {
                return false;
            }
            try {
                current = pass;
                generation++;
                for (int i = 0; i < threads.length; i++) {
                    if (isParked(i)) {
                        LockSupport.unpark(threads[i]);
                    }
                }
                pass.claimAll();
                while (pass.finished.get() < pass.chunks) {
                    Thread.onSpinWait();
                }
                current = null;
            } finally {
                owner.unlock();
            }
            Throwable t = pass.failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return true;
        }

        private synchronized boolean isParked(int id) {
            return parked[id];
        }

        private synchronized void setParked(int id, boolean value) {
            parked[id] = value;
        }

        private void work(int id) {
            long seen = generation;
            while (true) {
                long spinStart = System.nanoTime();
                while (generation == seen) {
                    if (System.nanoTime() - spinStart > SPIN_NANOS) {
                        setParked(id, true);
                        while (generation == seen) { // a pass posted after the check above unparks this thread
                            LockSupport.park(this);
                        }
                        setParked(id, false);
                        break;
                    }
                    Thread.onSpinWait();
                }
                seen = generation;
                Pass pass = current;
                if (pass != null) {
                    pass.claimAll();
                }
            }
        }
    }
}
