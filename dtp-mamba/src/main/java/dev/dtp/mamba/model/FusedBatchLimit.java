package dev.dtp.mamba.model;

import dev.dtp.mamba.decode.FusedStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The largest batch that decodes on the fused step by default; larger ones take libtorch's stacked
 * step. Measured on three 2-core machines (docs/BENCHMARKS.md section 6), tokens/s at batch 16:
 *
 * <ul>
 *   <li>Intel Xeon, AVX-512: fused 104.9, stacked 128.0 (libtorch's GEMMs win above batch 8);
 *   <li>AMD EPYC Zen 3, AVX2: fused 97.3, stacked 73.7;
 *   <li>AMD EPYC Zen 4, AVX-512: fused 118–130, stacked 74–91.
 * </ul>
 *
 * So the limit is 8 only on an Intel CPU with 512-bit vectors (or a CPU of unknown vendor with them),
 * and unbounded otherwise. The system property {@value #PROPERTY} overrides it (a positive integer;
 * {@code max} for unbounded), for a machine that measures differently: {@code dtp bench --batch-sizes}
 * reports both steps side by side.
 */
final class FusedBatchLimit {
    /** The system property that overrides the measured rule. */
    static final String PROPERTY = "dtp.decode.fusedBatchLimit";
    static final int WIDE_INTEL = 8;

    private FusedBatchLimit() {}

    /** The limit on this machine: the property if set, else the rule for this CPU's vendor and vector width. */
    static int onThisMachine() {
        return of(FusedStep.vectorBits(), cpuVendor(), System.getProperty(PROPERTY));
    }

    /**
     * The limit for a CPU of {@code vendor} ({@code vendor_id} of /proc/cpuinfo, empty if unknown)
     * whose fused kernels use {@code vectorBits}-bit vectors; {@code override} (null if none) wins.
     */
    static int of(int vectorBits, String vendor, String override) {
        if (override != null) {
            return parse(override);
        }
        boolean amd = vendor.equals("AuthenticAMD") || vendor.equals("HygonGenuine");
        return vectorBits >= 512 && !amd ? WIDE_INTEL : Integer.MAX_VALUE;
    }

    private static int parse(String override) {
        String v = override.trim().toLowerCase(Locale.ROOT);
        if (v.equals("max")) {
            return Integer.MAX_VALUE;
        }
        try {
            int limit = Integer.parseInt(v);
            if (limit >= 1) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + PROPERTY + " = '" + override
                + "': expected a positive number of sequences or 'max'");
    }

    /** {@code vendor_id} of the first processor in /proc/cpuinfo (Linux); empty where there is none. */
    static String cpuVendor() {
        // read up to the first vendor_id line only: on a many-core machine the file is hundreds of KB
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("vendor_id") && line.indexOf(':') >= 0)
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
