package dev.dtp.bench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.bench.cli.CliRun;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.Split;
import dev.dtp.bench.eval.KeepRatioSweep.Point;
import dev.dtp.bench.train.VlmCheckpoint;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.flops.MambaShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeepRatioSweepTest {
    @TempDir
    Path dir;

    @Test
    void anEllipsisRepeatsTheStep() {
        assertEquals(List.of(1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3), KeepRatioSweep.ratios("r=1.0,0.9,...,0.3"));
        assertEquals(List.of(0.5, 0.25), KeepRatioSweep.ratios("r=0.5,0.25"));
        assertEquals(List.of(0.2, 0.4, 0.6), KeepRatioSweep.ratios("r=0.2,0.4,...,0.6"));
        assertThrows(IllegalArgumentException.class, () -> KeepRatioSweep.ratios("0.5,0.4"));
        assertThrows(IllegalArgumentException.class, () -> KeepRatioSweep.ratios("r=1.2"));
        assertThrows(IllegalArgumentException.class, () -> KeepRatioSweep.ratios("r=0.9,...,0.3"));
        assertThrows(IllegalArgumentException.class, () -> KeepRatioSweep.ratios("r=0.5,0.6,...,0.3"));
    }

    @Test
    void fastVDartAndVtwMatchDtpsFlopsAtCobrasLayout() {
        MambaShape cobra = MambaShape.of(64, 2560, 50280);
        TokenLayout layout = TokenLayout.textWithImage(760, 0, 729);
        List<Point> plan = KeepRatioSweep.plan(List.of(0.9, 0.5, 0.3), new PruningDefaults(15, 0.5, 45), cobra, layout, 2);
        assertEquals(2 + 3 * 4, plan.size());
        assertEquals("none", plan.get(0).spec());
        assertEquals("dtp", plan.get(1).spec());
        for (int i = 2; i < plan.size(); i += 4) {
            Point dtp = plan.get(i);
            assertEquals(KeepRatioSweep.DTP, dtp.method());
            assertEquals(KeepRatioSweep.FASTV, plan.get(i + 1).method());
            // one visual token more or less at layer 2 moves the ratio by about 62/64/760: well under 0.002
            assertEquals(dtp.simulatedFlops(), plan.get(i + 1).simulatedFlops(), 0.002, plan.get(i + 1).spec());
            assertEquals(plan.get(i + 1).simulatedFlops(), plan.get(i + 2).simulatedFlops(), 1e-12); // DART: same counts
            // VTW moves in whole layers: 729/760 of a layer's share, about 0.015
            assertEquals(dtp.simulatedFlops(), plan.get(i + 3).simulatedFlops(), 0.01, plan.get(i + 3).spec());
        }
        assertTrue(plan.get(2).simulatedFlops() > plan.get(6).simulatedFlops()); // r 0.9 costs more than 0.5
    }

    @Test
    void evalSweepWritesThePlotAndTheTable() throws Exception {
        Path model = dir.resolve("model");
        VlmCheckpoint.writeRandom(model, 8, 32, 3);
        ShapesVqa.builder().seed(4).build().write(Split.TEST, 3, dir.resolve("data"), i -> {});
        Path data = dir.resolve("data").resolve(ShapesVqa.jsonlName(Split.TEST));
        Path out = dir.resolve("sweep");
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--data", data.toString(), "--sweep", "r=0.9,0.5",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        byte[] png = Files.readAllBytes(out.resolve("sweep.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals("method,r,policy,flops_ratio,simulated_flops_ratio,accuracy", csv.get(0));
        assertEquals(1 + 2 + 2 * 4, csv.size());
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("FastV,0.5,\"fastv:k=2,r=")), csv.toString());
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("`dart:k=2,r="), md);
    }

    @Test
    void evalNeedsPoliciesOrASweep() {
        CliRun r = CliRun.of("eval", "--model", "m", "--data", "d.jsonl");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("give --policies, --sweep, or both"), r.err());
    }
}
