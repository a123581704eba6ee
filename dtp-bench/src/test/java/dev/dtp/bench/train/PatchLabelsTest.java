package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.bench.data.BitmapFont;
import dev.dtp.bench.data.ObjectSize;
import dev.dtp.bench.data.Scene;
import dev.dtp.bench.data.SceneRenderer;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PatchLabelsTest {
    private static final ShapesVqa DATA = ShapesVqa.builder().seed(21).build();

    /** The part map agrees with the rendered pixels: object pixels have the object's colour, text pixels are dark. */
    @Test
    void partMapMatchesTheRenderedImage() {
        for (ShapesVqaSample s : DATA.samples(Split.TRAIN, 40).toList()) {
            Scene scene = s.scene();
            BufferedImage image = SceneRenderer.render(scene);
            int[] parts = SceneRenderer.partMap(scene);
            int n = scene.size();
            int objectPixels = 0;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    int part = parts[y * n + x];
                    int rgb = image.getRGB(x, y) & 0xFFFFFF;
                    if (part >= 1 && part <= scene.objects().size()) {
                        assertEquals(scene.objects().get(part - 1).color().rgb(), rgb, s.id() + " pixel " + x + "," + y);
                        objectPixels++;
                    } else if (part == scene.objects().size() + 1) {
                        assertEquals(0x0A0A0A, rgb, s.id() + " text pixel " + x + "," + y);
                    }
                }
            }
            assertTrue(objectPixels > 0, s.id());
        }
    }

    /** A large object's centre patch carries its colour, shape and size; a scene corner far from all parts is background. */
    @Test
    void centrePatchOfLargeObjectsIsLabelled() {
        int checked = 0;
        for (ShapesVqaSample s : DATA.samples(Split.TRAIN, 60).toList()) {
            PatchLabels labels = PatchLabels.of(s.scene(), 4);
            for (Scene.SceneObject o : s.scene().objects()) {
                if (o.size() != ObjectSize.LARGE) {
                    continue;
                }
                int c = o.side() / 2;
                int patch = (o.y() + c) / 4 * 16 + (o.x() + c) / 4;
                if (labels.color()[patch] == PatchLabels.COLORS - 1) {
                    continue; // text drawn over it
                }
                assertEquals(1 + o.color().ordinal(), labels.color()[patch], s.id());
                assertEquals(1 + o.shape().ordinal(), labels.shape()[patch], s.id());
                assertEquals(2, labels.size()[patch], s.id());
                // where the object is: its centre on an 8 × 8 grid of 8-pixel cells
                assertEquals(1 + (int) Math.floor((o.x() + o.side() / 2.0) / 8), labels.column()[patch], s.id());
                assertEquals(1 + (int) Math.floor((o.y() + o.side() / 2.0) / 8), labels.row()[patch], s.id());
                checked++;
            }
        }
        assertTrue(checked > 20, "checked " + checked);
    }

    /** Only object patches say where their object is; background and text patches have no place. */
    @Test
    void placesOnlyOnObjectPatches() {
        for (ShapesVqaSample s : DATA.samples(Split.TRAIN, 30).toList()) {
            PatchLabels labels = PatchLabels.of(s.scene(), 4);
            for (int patch = 0; patch < 256; patch++) {
                boolean object = labels.shape()[patch] > 0;
                assertEquals(object, labels.column()[patch] > 0, s.id() + " patch " + patch);
                assertEquals(object, labels.row()[patch] > 0, s.id() + " patch " + patch);
            }
        }
    }

    /**
     * The patch holding the centre of each glyph is labelled with that character (a neighbour glyph, 8 pixels
     * on, covers at most one column of it); patches outside the text box carry no character.
     */
    @Test
    void glyphCentresCarryTheirCharacter() {
        int checked = 0;
        for (ShapesVqaSample s : DATA.samples(Split.TRAIN, 100).toList()) {
            Scene.SceneText text = s.scene().text();
            int[] glyph = PatchLabels.of(s.scene(), 4).glyph();
            if (text == null) {
                assertTrue(Arrays.stream(glyph).allMatch(g -> g == 0), s.id());
                continue;
            }
            for (int k = 0; k < text.content().length(); k++) {
                int cx = BitmapFont.glyphLeft(text.x(), k, text.scale()) + BitmapFont.GLYPH_WIDTH * text.scale() / 2;
                int cy = text.y() + BitmapFont.GLYPH_HEIGHT * text.scale() / 2;
                int expected = 1 + "abcdefghijklmnopqrstuvwxyz0123456789".indexOf(text.content().charAt(k));
                assertEquals(expected, glyph[cy / 4 * 16 + cx / 4], s.id() + " glyph " + k);
                checked++;
            }
            for (int patch = 0; patch < glyph.length; patch++) {
                int px = patch % 16 * 4;
                int py = patch / 16 * 4;
                boolean touchesText = px + 4 > text.x() && px < text.x() + text.width()
                        && py + 4 > text.y() && py < text.y() + text.height();
                if (!touchesText) {
                    assertEquals(0, glyph[patch], s.id() + " patch " + patch);
                }
            }
        }
        assertTrue(checked > 30, "checked " + checked);
    }
}
