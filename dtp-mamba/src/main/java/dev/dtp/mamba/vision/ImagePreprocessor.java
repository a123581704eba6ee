package dev.dtp.mamba.vision;

import java.awt.image.BufferedImage;

/**
 * Pixels of an image as the patch encoder reads them: resized to image_size × image_size without
 * keeping the aspect ratio ("naive" resize, Pillow's bicubic: {@link PilResize}), scaled to [0, 1], normalised per channel as
 * (p − mean) / std, and cut into patch_size × patch_size patches in row-major grid order. Each patch
 * token reads a patch_kernel × patch_kernel window centred on its patch (zero outside the image);
 * inside a window the values are ordered (channel, row, column), the order of a Conv2d kernel of
 * stride patch_size and padding (patch_kernel − patch_size) / 2, so a patch embedding stored as
 * Conv2d weights reads the same.
 */
public final class ImagePreprocessor {
    private final VisionConfig config;

    public ImagePreprocessor(VisionConfig config) {
        this.config = config;
        if (config.channels() != 3) {
            throw new IllegalArgumentException("only RGB (3 channels) images are supported, config has " + config.channels());
        }
    }

    /** (patches, channels · patch_kernel²), row-major. */
    public float[] patches(BufferedImage image) {
        BufferedImage rgb = resized(image, config.imageSize());
        int size = config.imageSize();
        int p = config.patchSize();
        int k = config.patchKernel();
        int pad = (k - p) / 2;
        int side = size / p;
        int patchDim = config.patchDim();
        int[] argb = rgb.getRGB(0, 0, size, size, null, 0, size);
        float[] out = new float[side * side * patchDim];
        float[] mean = config.mean();
        float[] std = config.std();
        for (int py = 0; py < side; py++) {
            for (int px = 0; px < side; px++) {
                int base = (py * side + px) * patchDim;
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c; // R, G, B
                    for (int y = 0; y < k; y++) {
                        int iy = py * p - pad + y;
                        for (int x = 0; x < k; x++) {
                            int ix = px * p - pad + x;
                            if (iy >= 0 && iy < size && ix >= 0 && ix < size) {
                                int v = (argb[iy * size + ix] >>> shift) & 0xFF;
                                out[base + (c * k + y) * k + x] = (v / 255f - mean[c]) / std[c];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static BufferedImage resized(BufferedImage image, int size) {
        if (image.getWidth() == size && image.getHeight() == size && image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        return PilResize.bicubicImage(image, size, size);
    }
}
