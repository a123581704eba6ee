package dev.dtp.bench.data;

import java.util.List;

/**
 * Everything needed to draw one ShapesVQA image: {@link SceneRenderer} is a pure function of it.
 *
 * @param size image width and height in pixels
 * @param background the textured backdrop
 * @param objects the shapes, pairwise non-overlapping
 * @param text the rendered word or number, or null
 */
public record Scene(int size, Background background, List<SceneObject> objects, SceneText text) {
    public Scene {
        objects = List.copyOf(objects);
    }

    /** Muted backdrop texture; colours are 0xRRGGBB, {@code period} is the stripe period or checker cell in pixels. */
    public record Background(Kind kind, int colorA, int colorB, int period, long noiseSeed) {
        public enum Kind { NOISE, HORIZONTAL_STRIPES, VERTICAL_STRIPES, DIAGONAL_STRIPES, CHECKER }
    }

    /** One shape whose square bounding box has its top-left corner at (x, y) and side {@code size.side(image)}. */
    public record SceneObject(Shape shape, ObjectColor color, ObjectSize size, int x, int y, int side) {
        public int right() {
            return x + side;
        }

        public int bottom() {
            return y + side;
        }
    }

    /** Upper-case bitmap text at (x, y), glyphs scaled by {@code scale}; {@code content} is the lower-case answer. */
    public record SceneText(String content, boolean number, int x, int y, int scale) {
        public int width() {
            return BitmapFont.width(content, scale);
        }

        public int height() {
            return BitmapFont.height(scale);
        }
    }

    public long count(Shape shape) {
        return objects.stream().filter(o -> o.shape() == shape).count();
    }

    public boolean contains(Shape shape, ObjectColor color) {
        return objects.stream().anyMatch(o -> o.shape() == shape && o.color() == color);
    }
}
