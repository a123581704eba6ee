package dev.dtp.core;

/** Base of every exception this library throws on bad input, bad files or misbehaving policies. */
public class DtpException extends RuntimeException {
    public DtpException(String message) {
        super(message);
    }

    public DtpException(String message, Throwable cause) {
        super(message, cause);
    }
}
