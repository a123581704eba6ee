package dev.dtp.mamba.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PilResize gives Pillow's bicubic resize byte for byte (references made by tools/make_resize_reference.py). */
class PilResizeTest {
    static final Path DIR = Path.of("src", "test", "resources", "resize");

    @ParameterizedTest
    @CsvSource({"24, 24", "56, 56", "64, 40", "37, 29", "13, 7"})
    void matchesPillowExactly(int width, int height) throws Exception {
        BufferedImage source = ImageIO.read(DIR.resolve("source.png").toFile());
        BufferedImage expected = ImageIO.read(DIR.resolve("bicubic-" + width + "x" + height + ".png").toFile());
        int[] want = expected.getRGB(0, 0, width, height, null, 0, width);
        int[] got = PilResize.bicubic(source, width, height);
        int differing = 0;
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int d = Math.abs(((want[i] >> shift) & 0xFF) - ((got[i] >> shift) & 0xFF));
                differing += d > 0 ? 1 : 0;
                worst = Math.max(worst, d);
            }
        }
        assertEquals(0, differing, width + "x" + height + ": " + differing + " channel values differ, by up to " + worst);
    }
}
