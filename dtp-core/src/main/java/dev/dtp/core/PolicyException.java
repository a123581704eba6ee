package dev.dtp.core;

/** A pruning policy was misconfigured or returned an invalid selection; the message names the policy and the layer. */
public class PolicyException extends DtpException {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
