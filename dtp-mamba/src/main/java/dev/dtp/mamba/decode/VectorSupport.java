package dev.dtp.mamba.decode;

import dev.dtp.mamba.VectorApi;

/** Whether the fused kernels can run: the Vector API module is loaded and a float vector holds 8 or 16 lanes. */
final class VectorSupport {
    static final boolean PRESENT = present();

    private VectorSupport() {}

    private static boolean present() {
        try {
            if (!VectorApi.usable()) {
                return false;
            }
            int lanes = VectorDot.FLOATS.length();
            return (lanes == 8 || lanes == 16) && VectorDot.BYTES.length() == lanes;
        } catch (LinkageError | IllegalArgumentException e) {
            return false;
        }
    }
}
