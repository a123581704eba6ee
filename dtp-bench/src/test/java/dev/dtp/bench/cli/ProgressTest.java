package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void quietWhenNotATerminalExceptForLogLines() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), "eval", 10, false);
        for (int i = 1; i <= 10; i++) {
            p.update(i, "x");
        }
        p.log("step 10 done");
        assertEquals("step 10 done" + System.lineSeparator(), s.toString());
    }

    @Test
    void terminalLineShowsCountRateAndEta() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), "train", 4, true);
        String line = p.line(1, "loss 0.5");
        assertTrue(line.matches("train \\[######\\.{18}\\] 1/4 [0-9.]+/s ETA [0-9:-]+ loss 0\\.5"), line);
        p.update(4, "done");
        assertTrue(s.toString().startsWith("\rtrain [########################] 4/4"), s.toString());
        assertEquals("01:05", Progress.format(65));
        assertEquals("1:01:01", Progress.format(3661));
    }
}
