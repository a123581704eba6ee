package dev.dtp.mamba.decode;

import java.util.function.Supplier;

/**
 * A matrix's panel copy for the batched decode step ({@link F32Panels}, {@link Q8Panels}), built once,
 * on first use, under this object's lock by the thread that prepares the pass (never inside a
 * parallel pass): only while the Java heap has twice the copy's size free, never with
 * {@code -Ddtp.decode.panels=off}, and given up (the matrix stays on its rows) after an
 * {@link OutOfMemoryError} in the attempt.
 */
final class PanelCopy<T> {
    private volatile T copy;
    private volatile boolean tried;

    /**
     * The copy, built by {@code build} on the first call where it is {@code wanted} (the caller's
     * conditions: the vectors suit it, its arrays fit an int index) and {@code bytes} of heap are
     * affordable; null where it is not.
     */
    T get(boolean wanted, long bytes, Supplier<T> build) {
        if (tried) {
            return copy;
        }
        synchronized (this) {
            if (!tried) {
                copy = wanted && !"off".equals(System.getProperty(F32Rows.PANELS_PROPERTY)) && affordable(bytes) ? attempt(build) : null;
                tried = true;
            }
            return copy;
        }
    }

    /** The copy if one was built, else null (never builds). */
    T built() {
        return copy;
    }

    private static boolean affordable(long bytes) {
        Runtime runtime = Runtime.getRuntime();
        long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        return free >= 2 * bytes;
    }

    private static <T> T attempt(Supplier<T> build) {
        try {
            return build.get();
        } catch (OutOfMemoryError e) { // another thread took the room checked above: go on without the copy
            return null;
        }
    }
}
