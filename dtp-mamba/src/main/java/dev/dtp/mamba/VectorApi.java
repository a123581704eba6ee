package dev.dtp.mamba;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Whether this JVM can run the Vector API kernels (the CPU scan and conv loops of the prefill, the fused
 * decode step): the incubator module {@code jdk.incubator.vector} must be loaded
 * ({@code --add-modules jdk.incubator.vector}, which {@code ./dtp} passes) and must still offer the
 * {@code ByteBuffer} loads these kernels read libtorch's memory with. Those exist on JDK 17 to 19; JDK 20
 * replaced them with {@code MemorySegment} ones, so on JDK 20 and later every kernel takes its plain-Java
 * or libtorch path instead (correct, slower), rather than failing with a {@link NoSuchMethodError} at
 * the first prefill. {@link #unavailableReason()} says which case applies.
 */
public final class VectorApi {
    private static final String MODULE = "jdk.incubator.vector";
    private static final Optional<String> REASON = check();

    private VectorApi() {}

    /** True when the Vector API kernels can run on this JVM. */
    public static boolean usable() {
        return REASON.isEmpty();
    }

    /** Why the Vector API kernels cannot run here, or empty when they can. */
    public static Optional<String> unavailableReason() {
        return REASON;
    }

    private static Optional<String> check() {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return Optional.of("the JVM was started without --add-modules " + MODULE);
        }
        try {
            Class<?> floats = Class.forName(MODULE + ".FloatVector");
            Class<?> species = Class.forName(MODULE + ".VectorSpecies");
            floats.getMethod("fromByteBuffer", species, ByteBuffer.class, int.class, ByteOrder.class);
            return Optional.empty();
        } catch (NoSuchMethodException e) {
            return Optional.of("Java " + Runtime.version().feature() + "'s " + MODULE
                    + " no longer has the ByteBuffer loads the kernels use (JDK 17 to 19 have them)");
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.of(MODULE + " could not be loaded: " + e);
        }
    }
}
