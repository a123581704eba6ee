package dev.dtp.bench.data;

import dev.dtp.core.DtpException;
import java.nio.file.Path;

/**
 * A dataset file is unusable; the message names the file and, for JSONL, the 1-based line, or for a JSON
 * source file the entry (e.g. {@code questions[3] (question_id 262148000)}).
 */
public class DatasetException extends DtpException {
    public DatasetException(Path file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
    }

    public DatasetException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public DatasetException(Path file, String entry, String problem) {
        super(file + ": " + entry + ": " + problem);
    }

    public DatasetException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
