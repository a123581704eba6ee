package dev.dtp.mamba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorApiTest {
    @Test
    void usableExactlyWhereTheModuleIsLoadedWithItsByteBufferLoads() {
        boolean loaded = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean byteBufferLoads = Runtime.version().feature() <= 19; // JDK 20 replaced them with MemorySegment loads
        assertEquals(loaded && byteBufferLoads, VectorApi.usable(), VectorApi.unavailableReason().orElse("usable"));
        assertEquals(VectorApi.usable(), VectorApi.unavailableReason().isEmpty());
        VectorApi.unavailableReason().ifPresent(why -> assertTrue(why.contains("jdk.incubator.vector"), why));
    }
}
