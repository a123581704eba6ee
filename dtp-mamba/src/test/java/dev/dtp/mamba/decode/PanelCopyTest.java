package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When a matrix gets its panel copy: once, only where wanted and affordable, never when switched off, not after an OOM. */
class PanelCopyTest {
    @Test
    void theCopyIsBuiltOnceAndKept() {
        PanelCopy<Object> copy = new PanelCopy<>();
        AtomicInteger builds = new AtomicInteger();
        Object built = copy.get(true, 1024, () -> {
            builds.incrementAndGet();
            return new Object();
        });
        assertSame(built, copy.get(true, 1024, Object::new));
        assertSame(built, copy.built());
        assertEquals(1, builds.get());
    }

    @Test
    void aCopyThatIsNotWantedOrTooLargeForTheHeapIsNotBuilt() {
        AtomicInteger builds = new AtomicInteger();
        PanelCopy<Object> unwanted = new PanelCopy<>();
        assertNull(unwanted.get(false, 1024, () -> builds.incrementAndGet()));
        PanelCopy<Object> tooLarge = new PanelCopy<>();
        assertNull(tooLarge.get(true, Runtime.getRuntime().maxMemory() / 2 + 1, () -> builds.incrementAndGet()));
        assertNull(tooLarge.get(true, 1024, () -> builds.incrementAndGet()), "tried once: the answer stays");
        assertNull(tooLarge.built());
        assertEquals(0, builds.get());
    }

    @Test
    void anOutOfMemoryErrorInTheAttemptLeavesTheMatrixOnItsRows() {
        PanelCopy<Object> copy = new PanelCopy<>();
        assertNull(copy.get(true, 1024, () -> {
            throw new OutOfMemoryError("Java heap space");
        }));
        assertNull(copy.built());
    }

    @Test
    void panelsOffBuildsNone() {
        PanelsOff.run(() -> {
            AtomicInteger builds = new AtomicInteger();
            assertNull(new PanelCopy<>().get(true, 1024, () -> builds.incrementAndGet()));
            assertEquals(0, builds.get());
        });
    }
}
