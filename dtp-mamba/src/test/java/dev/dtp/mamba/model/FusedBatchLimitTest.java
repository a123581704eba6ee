package dev.dtp.mamba.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FusedBatchLimitTest {
    private static final int UNBOUNDED = Integer.MAX_VALUE;

    @Test
    void onlyAnIntelOrUnknownCpuWithWideVectorsSendsLargeBatchesToLibtorch() {
        assertEquals(8, FusedBatchLimit.of(512, "GenuineIntel", null));
        assertEquals(8, FusedBatchLimit.of(512, "", null));
        assertEquals(UNBOUNDED, FusedBatchLimit.of(512, "AuthenticAMD", null)); // Zen 4
        assertEquals(UNBOUNDED, FusedBatchLimit.of(256, "AuthenticAMD", null)); // Zen 3
        assertEquals(UNBOUNDED, FusedBatchLimit.of(256, "GenuineIntel", null));
        assertEquals(UNBOUNDED, FusedBatchLimit.of(0, "", null)); // no fused step: nothing to send anywhere
    }

    @Test
    void thePropertyOverridesTheRule() {
        assertEquals(4, FusedBatchLimit.of(256, "AuthenticAMD", "4"));
        assertEquals(UNBOUNDED, FusedBatchLimit.of(512, "GenuineIntel", " MAX "));
        assertEquals(1, FusedBatchLimit.of(512, "AuthenticAMD", "1"));
    }

    @Test
    void aBadOverrideNamesThePropertyAndTheValue() {
        for (String bad : new String[] {"0", "-3", "eight", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FusedBatchLimit.of(512, "GenuineIntel", bad));
            assertTrue(e.getMessage().contains(FusedBatchLimit.PROPERTY), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void theVendorIsReadFromCpuinfoWhereThereIsOne() throws IOException {
        Path info = Path.of("/proc/cpuinfo");
        String vendor = FusedBatchLimit.cpuVendor();
        if (Files.isReadable(info) && Files.readString(info).contains("vendor_id")) {
            assertTrue(Files.readString(info).contains("vendor_id\t: " + vendor + "\n")
                    && !vendor.isEmpty(), vendor);
        } else {
            assertEquals("", vendor);
        }
    }
}
