package dev.dtp.bench.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA, redrawn in place with '\r' on a terminal. When the
 * output is not a terminal (CI logs, pipes) it stays quiet apart from {@link #log} lines, unless
 * {@code every} forces a plain line every N steps.
 */
public final class Progress {
    private final PrintWriter out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastDraw;

    public Progress(PrintWriter out, String label, long total) {
        this(out, label, total, System.console() != null);
    }

    public Progress(PrintWriter out, String label, long total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
    }

    /** Reports {@code done} of total steps with a short status (e.g. "loss 0.41"). */
    public void update(long done, String status) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(done, status) + "\u001b[K");
        if (done >= total) {
            out.println();
        }
        out.flush();
    }

    /** A line that stays (printed on its own line in both modes). */
    public void log(String message) {
        if (terminal) {
            out.print("\r\u001b[K");
        }
        out.println(message);
        out.flush();
    }

    String line(long done, String status) {
        int width = 24;
        int filled = total == 0 ? width : (int) Math.min(width, width * done / total);
        double elapsed = (System.nanoTime() - started) / 1e9;
        double rate = elapsed > 0 ? done / elapsed : 0;
        String eta = rate > 0 && done < total ? format((total - done) / rate) : "--:--";
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %.2f/s ETA %s %s", label, "#".repeat(filled),
                ".".repeat(width - filled), done, total, rate, eta, status == null ? "" : status);
    }

    static String format(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
