package dev.dtp.mamba.checkpoint;

import dev.dtp.core.DtpException;

/** A model's config.json is missing, malformed or describes an impossible model; the message names the file and key. */
public class ConfigException extends DtpException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
