package dev.dtp.bench.train;

import dev.dtp.bench.data.BitmapFont;
import dev.dtp.bench.data.ObjectColor;
import dev.dtp.bench.data.ObjectSize;
import dev.dtp.bench.data.Scene;
import dev.dtp.bench.data.SceneRenderer;
import dev.dtp.bench.data.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Dense labels of a scene's patch grid, the targets of {@link VisionPretrainer}: for each patch, the part
 * (object or text) covering most of its pixels, as a colour class (0 background, 1 + colour, or text), a
 * shape class (0 none, 1 + shape) and a size class (0 none, 1 + size); and the character of the text there
 * (0 none, 1 + {@link BitmapFont#index glyph index}): the glyph box, ink and gaps alike, covering the most
 * pixels of the patch, if it covers at least a quarter of them. An object's patches also carry where that
 * object is: the column and the row of its centre on a coarse grid of {@link #PLACES} × {@link #PLACES}
 * (0 none, 1 + bin) — a property of the object, like its colour, that differs from image to image, unlike
 * the patch's own position.
 */
record PatchLabels(int[] color, int[] shape, int[] size, int[] glyph, int[] column, int[] row) {
    static final int COLORS = 2 + ObjectColor.values().length;
    static final int SHAPES = 1 + Shape.values().length;
    static final int SIZES = 1 + ObjectSize.values().length;
    static final int GLYPHS = 1 + BitmapFont.GLYPH_COUNT;
    /** Bins per axis of an object's centre (8 px at 64 px: clearly apart objects are at least two bins apart). */
    static final int PLACES = 8;

    static PatchLabels of(Scene scene, int patchSize) {
        int n = scene.size();
        int grid = n / patchSize;
        int[] parts = SceneRenderer.partMap(scene);
        List<Scene.SceneObject> objects = scene.objects();
        int textPart = objects.size() + 1;
        int[] color = new int[grid * grid];
        int[] shape = new int[grid * grid];
        int[] size = new int[grid * grid];
        int[] column = new int[grid * grid];
        int[] row = new int[grid * grid];
        int[] votes = new int[objects.size() + 2];
        for (int py = 0; py < grid; py++) {
            for (int px = 0; px < grid; px++) {
                Arrays.fill(votes, 0);
                for (int y = py * patchSize; y < (py + 1) * patchSize; y++) {
                    for (int x = px * patchSize; x < (px + 1) * patchSize; x++) {
                        votes[parts[y * n + x]]++;
                    }
                }
                int best = 0;
                for (int k = 1; k < votes.length; k++) {
                    if (votes[k] > votes[best]) {
                        best = k;
                    }
                }
                int patch = py * grid + px;
                if (best == textPart) {
                    color[patch] = COLORS - 1;
                } else if (best > 0) {
                    Scene.SceneObject o = objects.get(best - 1);
                    color[patch] = 1 + o.color().ordinal();
                    shape[patch] = 1 + o.shape().ordinal();
                    size[patch] = 1 + o.size().ordinal();
                    column[patch] = 1 + place(2 * o.x() + o.side(), n);
                    row[patch] = 1 + place(2 * o.y() + o.side(), n);
                }
            }
        }
        return new PatchLabels(color, shape, size, glyphs(scene, patchSize), column, row);
    }

    /** The bin of a centre coordinate given doubled (2·left + side, to stay in integers) in an image of side n. */
    static int place(int doubledCentre, int n) {
        return Math.min(PLACES - 1, doubledCentre * PLACES / (2 * n));
    }

    private static int[] glyphs(Scene scene, int patchSize) {
        int grid = scene.size() / patchSize;
        int[] glyph = new int[grid * grid];
        Scene.SceneText text = scene.text();
        if (text == null) {
            return glyph;
        }
        int[] covered = new int[grid * grid];
        int width = BitmapFont.GLYPH_WIDTH * text.scale();
        int height = BitmapFont.GLYPH_HEIGHT * text.scale();
        for (int k = 0; k < text.content().length(); k++) {
            int left = BitmapFont.glyphLeft(text.x(), k, text.scale());
            int label = 1 + BitmapFont.index(text.content().charAt(k));
            for (int py = text.y() / patchSize; py <= (text.y() + height - 1) / patchSize && py < grid; py++) {
                for (int px = left / patchSize; px <= (left + width - 1) / patchSize && px < grid; px++) {
                    int overlapX = Math.min(left + width, (px + 1) * patchSize) - Math.max(left, px * patchSize);
                    int overlapY = Math.min(text.y() + height, (py + 1) * patchSize) - Math.max(text.y(), py * patchSize);
                    int pixels = overlapX * overlapY;
                    int patch = py * grid + px;
                    if (pixels * 4 >= patchSize * patchSize && pixels > covered[patch]) {
                        covered[patch] = pixels;
                        glyph[patch] = label;
                    }
                }
            }
        }
        return glyph;
    }
}
