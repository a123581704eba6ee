package dev.dtp.mamba.scan;

import ai.djl.Device;
import java.util.List;

/** The available selective-scan kernels and the default choice per device. */
public final class ScanKernels {
    private ScanKernels() {}

    private static final List<SelectiveScan> ALL = List.of(new CpuScan(), new NDArrayScan(), new ReferenceScan());

    /** The fastest kernel that runs on {@code device}: the CPU kernel on a CPU, the NDArray kernel elsewhere. */
    public static SelectiveScan forDevice(Device device) {
        return ALL.stream().filter(k -> k.supports(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scan kernel supports " + device));
    }

    public static SelectiveScan byName(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown scan kernel '" + name + "'; known: "
                        + ALL.stream().map(SelectiveScan::name).toList()));
    }

    public static List<SelectiveScan> all() {
        return ALL;
    }
}
