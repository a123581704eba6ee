package dev.dtp.mamba.vision;

import java.awt.image.BufferedImage;

/**
 * An image as a vision tower's input tensor: resized with Pillow's bicubic filter ({@link PilResize})
 * — naively to size × size (Cobra's "resize-naive"), or shorter side to size then the centre square
 * (torchvision's Resize + CenterCrop, CLIP's transform) — then, as torchvision's ToTensor and
 * Normalize, (v / 255 − mean) / std per channel in (3, size, size) order.
 */
final class Pixels {
    private Pixels() {}

    /** The resized image's pixels, 0xRRGGBB row-major. */
    static int[] resized(BufferedImage image, int size, boolean shortestEdgeCrop) {
        return shortestEdgeCrop
                ? PilResize.shortestEdgeCrop(image, size).getRGB(0, 0, size, size, null, 0, size)
                : PilResize.bicubic(image, size, size);
    }

    /** (3, size, size) row-major. */
    static float[] normalised(int[] rgb, int size, float[] mean, float[] std) {
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c; // R, G, B
            for (int i = 0; i < size * size; i++) {
                out[c * size * size + i] = (((rgb[i] >>> shift) & 0xFF) / 255f - mean[c]) / std[c];
            }
        }
        return out;
    }
}
