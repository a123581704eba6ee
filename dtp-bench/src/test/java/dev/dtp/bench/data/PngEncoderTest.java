package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {
    @Test
    void imageIoDecodesTheSamePixels() throws Exception {
        ShapesVqa data = ShapesVqa.builder().seed(9).build();
        for (ShapesVqaSample s : data.samples(Split.TRAIN, 5).toList()) {
            assertSamePixels(data.render(s), decode(PngEncoder.encode(data.render(s))));
        }
        BufferedImage noise = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rng = new SplittableRandom(1);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                noise.setRGB(x, y, rng.nextInt(1 << 24));
            }
        }
        assertSamePixels(noise, decode(PngEncoder.encode(noise)));
    }

    @Test
    void zlibStreamInflatesToItsInput() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            // long runs (matches of 258), far repeats (distances near 32 KiB) and literals
            data[i] = i % 5000 < 600 ? 7 : i > 40_000 && i < 70_000 ? data[i - 32_000] : (byte) rng.nextInt(6);
        }
        for (byte[] input : new byte[][] {data, new byte[0], {1}, {1, 2}, Arrays.copyOf(data, 300)}) {
            Inflater inflater = new Inflater();
            inflater.setInput(PngEncoder.zlib(input));
            byte[] out = new byte[input.length + 1];
            int n = inflater.inflate(out);
            assertEquals(input.length, n);
            assertEquals(true, inflater.finished());
            assertArrayEquals(input, Arrays.copyOf(out, n));
        }
    }

    private static BufferedImage decode(byte[] png) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y), actual.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
    }
}
