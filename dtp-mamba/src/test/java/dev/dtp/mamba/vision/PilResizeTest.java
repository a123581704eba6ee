package dev.dtp.mamba.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    @CsvSource({"16, ''", "24, ''", "30, ''", "16, -portrait", "24, -portrait", "30, -portrait"})
    void shortestEdgeCropMatchesTorchvision(int size, String suffix) throws Exception {
        BufferedImage source = ImageIO.read(DIR.resolve("source.png").toFile());
        if (!suffix.isEmpty()) { // the transposed (portrait) source
            BufferedImage t = new BufferedImage(source.getHeight(), source.getWidth(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < source.getHeight(); y++) {
                for (int x = 0; x < source.getWidth(); x++) {
                    t.setRGB(y, x, source.getRGB(x, y));
                }
            }
            source = t;
        }
        BufferedImage expected = ImageIO.read(DIR.resolve("shortest-edge-crop-" + size + suffix + ".png").toFile());
        BufferedImage got = PilResize.shortestEdgeCrop(source, size);
        assertArrayEquals(expected.getRGB(0, 0, size, size, null, 0, size), got.getRGB(0, 0, size, size, null, 0, size));
    }

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
