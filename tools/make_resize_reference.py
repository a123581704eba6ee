#!/usr/bin/env python3
"""Writes Pillow's bicubic resizes of a seeded test image, for the Java test of PilResize
(dtp-mamba/src/test/resources/resize/): source.png and one PNG per target size (lossless, so the
Java test can compare every byte).

Run with Debian's Pillow and torchvision (apt-get install -y python3-pil python3-torchvision):
  /usr/bin/python3 tools/make_resize_reference.py dtp-mamba/src/test/resources/resize
"""
import os
import random
import sys

from PIL import Image

SIZES = [(24, 24), (56, 56), (64, 40), (37, 29), (13, 7)]
CROPS = [16, 24, 30]


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261127)
    w, h = 37, 29
    src = Image.new("RGB", (w, h))
    src.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) if rng.random() < 0.3
                 else ((x * 7) % 256, (y * 9) % 256, ((x + y) * 5) % 256)
                 for y in range(h) for x in range(w)])
    src.save(os.path.join(out, "source.png"))
    for size in SIZES:
        src.resize(size, Image.BICUBIC).save(os.path.join(out, "bicubic-%dx%d.png" % size))
    # CLIP's preprocessing: torchvision Resize(shorter side, bicubic) then CenterCrop, on PIL images
    from torchvision import transforms
    for size in CROPS:
        t = transforms.Compose([transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
                                transforms.CenterCrop(size)])
        t(src).save(os.path.join(out, "shortest-edge-crop-%d.png" % size))
        t(src.transpose(Image.TRANSPOSE)).save(os.path.join(out, "shortest-edge-crop-%d-portrait.png" % size))
    with open(os.path.join(out, "README"), "w") as f:
        import torchvision
        f.write("Made by tools/make_resize_reference.py with Pillow %s and torchvision %s\n" % (Image.__version__, torchvision.__version__))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dtp-mamba/src/test/resources/resize")
