package dev.dtp.mamba.checkpoint.torch;

/**
 * The checkpoint's pickle asks for something a plain state dict never needs (an unlisted global such as
 * {@code os.system}, or an opcode that builds arbitrary objects). Nothing it names is constructed or run.
 */
public final class UnsafePickleException extends TorchCheckpointException {
    public UnsafePickleException(String message) {
        super(message);
    }
}
