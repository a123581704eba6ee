package dev.dtp.mamba.checkpoint;

import dev.dtp.core.DtpException;

/** A checkpoint file is missing, unreadable or inconsistent; the message names the file and tensor. */
public class CheckpointException extends DtpException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
