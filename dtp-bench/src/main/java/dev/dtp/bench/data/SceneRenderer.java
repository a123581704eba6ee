package dev.dtp.bench.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Draws a {@link Scene} into a TYPE_INT_RGB image. Every shape is a set of axis-aligned integer rectangles
 * computed with integer arithmetic and filled with {@code fillRect}, never Java2D's curve or polygon
 * rasterisers, whose pixels may differ between platforms; with the bitmap font this makes the pixels a pure
 * function of the scene.
 */
public final class SceneRenderer {
    static final int TEXT_RGB = 0x0A0A0A;
    static final int NOISE_AMPLITUDE = 12;

    private SceneRenderer() {
    }

    public static BufferedImage render(Scene scene) {
        int n = scene.size();
        BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, n, n, background(scene.background(), n), 0, n);
        drawParts(image, scene, i -> scene.objects().get(i).color().rgb(), TEXT_RGB);
        return image;
    }

    /**
     * Which part of the scene covers each pixel, drawn with the same rasterisation as {@link #render}:
     * 0 = background, i + 1 = object i, {@code objects().size() + 1} = the text. Row-major, size².
     */
    public static int[] partMap(Scene scene) {
        int n = scene.size();
        BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        drawParts(image, scene, i -> i + 1, scene.objects().size() + 1);
        int[] rgb = image.getRGB(0, 0, n, n, null, 0, n);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xFFFFFF;
        }
        return rgb;
    }

    /** Draws the objects (object i in {@code objectRgb.applyAsInt(i)}) and then the text over them. */
    private static void drawParts(BufferedImage image, Scene scene, IntUnaryOperator objectRgb, int textRgb) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            List<Scene.SceneObject> objects = scene.objects();
            for (int i = 0; i < objects.size(); i++) {
                Scene.SceneObject o = objects.get(i);
                g.setColor(new Color(objectRgb.applyAsInt(i)));
                drawShape(g, o.shape(), o.x(), o.y(), o.side());
            }
            Scene.SceneText text = scene.text();
            if (text != null) {
                g.setColor(new Color(textRgb));
                BitmapFont.draw(g, text.content(), text.x(), text.y(), text.scale());
            }
        } finally {
            g.dispose();
        }
    }

    static int[] background(Scene.Background bg, int n) {
        int[] rgb = new int[n * n];
        SplittableRandom noise = new SplittableRandom(bg.noiseSeed());
        int p = bg.period();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                boolean first = switch (bg.kind()) {
                    case NOISE -> true;
                    case HORIZONTAL_STRIPES -> y % p < p / 2;
                    case VERTICAL_STRIPES -> x % p < p / 2;
                    case DIAGONAL_STRIPES -> (x + y) % p < p / 2;
                    case CHECKER -> (x / p + y / p) % 2 == 0;
                };
                int c = first ? bg.colorA() : bg.colorB();
                if (bg.kind() == Scene.Background.Kind.NOISE) {
                    c = shift(c, noise.nextInt(2 * NOISE_AMPLITUDE + 1) - NOISE_AMPLITUDE);
                }
                rgb[y * n + x] = c;
            }
        }
        return rgb;
    }

    private static int shift(int rgb, int delta) {
        int r = clamp(((rgb >> 16) & 0xFF) + delta);
        int g = clamp(((rgb >> 8) & 0xFF) + delta);
        int b = clamp((rgb & 0xFF) + delta);
        return (r << 16) | (g << 8) | b;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** Fills one shape inside the d×d box at (x, y); d is odd so every shape has a centre pixel. */
    static void drawShape(Graphics2D g, Shape shape, int x, int y, int d) {
        int r = (d - 1) / 2;
        switch (shape) {
            case SQUARE -> {
                // inset so a square's area is close to the circle's in the same box
                int inset = d / 8;
                g.fillRect(x + inset, y + inset, d - 2 * inset, d - 2 * inset);
            }
            case CROSS -> {
                int t = (d / 3) | 1;
                g.fillRect(x + (d - t) / 2, y, t, d);
                g.fillRect(x, y + (d - t) / 2, d, t);
            }
            case CIRCLE, DIAMOND, TRIANGLE -> {
                for (int row = 0; row < d; row++) {
                    int from = -1;
                    int to = -1;
                    for (int col = 0; col < d; col++) {
                        if (inside(shape, col, row, d, r)) {
                            if (from < 0) {
                                from = col;
                            }
                            to = col + 1;
                        }
                    }
                    if (from >= 0) {
                        g.fillRect(x + from, y + row, to - from, 1);
                    }
                }
            }
        }
    }

    /** Pixel-centre membership in doubled integer coordinates, so no rounding is involved. */
    private static boolean inside(Shape shape, int col, int row, int d, int r) {
        int dx = 2 * col + 1 - d;
        int dy = 2 * row + 1 - d;
        return switch (shape) {
            case CIRCLE -> dx * dx + dy * dy <= d * d;
            case DIAMOND -> Math.abs(dx) + Math.abs(dy) <= d;
            // apex at the top centre, base on the bottom row
            case TRIANGLE -> Math.abs(col - r) <= row * r / (d - 1);
            default -> throw new IllegalStateException(shape.toString());
        };
    }
}
