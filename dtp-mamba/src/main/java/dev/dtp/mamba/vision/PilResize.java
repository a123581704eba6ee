package dev.dtp.mamba.vision;

import java.awt.image.BufferedImage;

/**
 * Bicubic resizing exactly as Pillow's {@code Image.resize(size, Image.BICUBIC)} does it for 8-bit
 * RGB — the resize in Cobra's and CLIP's Python preprocessing — so that Java feeds a backbone the
 * same pixels: a separable convolution (horizontal pass, then vertical) with the cubic kernel
 * a = −0.5 widened by the scale when shrinking (antialiasing), coefficients normalised per output
 * pixel and rounded to 22-bit fixed point, and 8-bit rounding between the passes.
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PilResize() {}

    /** The resized image's pixels, 0xRRGGBB row-major, width × height. */
    public static int[] bicubic(BufferedImage image, int width, int height) {
        int inW = image.getWidth();
        int inH = image.getHeight();
        int[] rgb = image.getRGB(0, 0, inW, inH, null, 0, inW);
        int[][] in = channels(rgb);
        Coefficients horizontal = coefficients(inW, width);
        Coefficients vertical = coefficients(inH, height);
        int[][] mid;
        int midH;
        int firstRow = vertical.bounds[0];
        if (width != inW) {
            // only the rows the vertical pass will read
            int lastRow = vertical.bounds[2 * (height - 1)] + vertical.bounds[2 * (height - 1) + 1];
            midH = lastRow - firstRow;
            mid = new int[3][width * midH];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < midH; y++) {
                    for (int x = 0; x < width; x++) {
                        int min = horizontal.bounds[2 * x];
                        int n = horizontal.bounds[2 * x + 1];
                        long ss = 1L << (PRECISION_BITS - 1);
                        for (int k = 0; k < n; k++) {
                            ss += (long) in[c][(y + firstRow) * inW + min + k] * horizontal.fixed[x * horizontal.size + k];
                        }
                        mid[c][y * width + x] = clip8(ss);
                    }
                }
            }
        } else {
            mid = in;
            midH = inH;
            firstRow = 0;
        }
        if (height == midH && firstRow == 0 && height == inH) {
            return pack(mid, width * height);
        }
        int[][] out = new int[3][width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                int min = vertical.bounds[2 * y] - firstRow;
                int n = vertical.bounds[2 * y + 1];
                for (int x = 0; x < width; x++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int k = 0; k < n; k++) {
                        ss += (long) mid[c][(min + k) * width + x] * vertical.fixed[y * vertical.size + k];
                    }
                    out[c][y * width + x] = clip8(ss);
                }
            }
        }
        return pack(out, width * height);
    }

    /**
     * torchvision's {@code Resize(size, BICUBIC)} then {@code CenterCrop(size)} on a PIL image (CLIP's
     * preprocessing): the shorter side becomes {@code size}, the longer int(size · long / short), then
     * the centre size × size square is cut out (offsets int(round((extent − size) / 2))).
     */
    public static BufferedImage shortestEdgeCrop(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        int ow = w <= h ? size : (int) ((long) size * w / h);
        int oh = w <= h ? (int) ((long) size * h / w) : size;
        BufferedImage resized = ow == w && oh == h ? image : bicubicImage(image, ow, oh);
        int left = (int) Math.rint((ow - size) / 2.0); // Python round(): half to even
        int top = (int) Math.rint((oh - size) / 2.0);
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, size, size, resized.getRGB(left, top, size, size, null, 0, size), 0, size);
        return out;
    }

    /** The resized image as a BufferedImage. */
    public static BufferedImage bicubicImage(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, bicubic(image, width, height), 0, width);
        return out;
    }

    private record Coefficients(int size, int[] bounds, int[] fixed) {}

    /** Per output pixel: first input pixel, count, and the fixed-point weights (Pillow's precompute_coeffs). */
    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int size = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * outSize];
        int[] fixed = new int[outSize * size];
        double[] w = new double[size];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int min = (int) (center - support + 0.5);
            if (min < 0) {
                min = 0;
            }
            int max = (int) (center + support + 0.5);
            if (max > inSize) {
                max = inSize;
            }
            max -= min;
            double total = 0;
            for (int x = 0; x < max; x++) {
                w[x] = cubic((x + min - center + 0.5) * ss);
                total += w[x];
            }
            for (int x = 0; x < size; x++) {
                double v = x < max && total != 0 ? w[x] / total : 0;
                fixed[xx * size + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = min;
            bounds[2 * xx + 1] = max;
        }
        return new Coefficients(size, bounds, fixed);
    }

    /** Keys' cubic convolution kernel with a = −0.5 (Pillow's bicubic, and torch's antialiased one). */
    public static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    private static int clip8(long in) {
        if (in >= (1L << PRECISION_BITS << 8)) {
            return 255;
        }
        if (in <= 0) {
            return 0;
        }
        return (int) (in >> PRECISION_BITS);
    }

    private static int[][] channels(int[] rgb) {
        int[][] c = new int[3][rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            c[0][i] = (rgb[i] >> 16) & 0xFF;
            c[1][i] = (rgb[i] >> 8) & 0xFF;
            c[2][i] = rgb[i] & 0xFF;
        }
        return c;
    }

    private static int[] pack(int[][] c, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (c[0][i] << 16) | (c[1][i] << 8) | c[2][i];
        }
        return out;
    }
}
