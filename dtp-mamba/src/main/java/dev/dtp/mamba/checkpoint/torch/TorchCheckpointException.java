package dev.dtp.mamba.checkpoint.torch;

import dev.dtp.core.DtpException;

/** A {@code .pt}/{@code .pth} file cannot be read; the message names the file and, where known, the entry or tensor. */
public class TorchCheckpointException extends DtpException {
    public TorchCheckpointException(String message) {
        super(message);
    }

    public TorchCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
