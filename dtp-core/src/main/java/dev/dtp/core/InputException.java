package dev.dtp.core;

/** The caller's input (token ids, embeddings, spans) is unusable; the message names the position or span. */
public class InputException extends DtpException {
    public InputException(String message) {
        super(message);
    }
}
