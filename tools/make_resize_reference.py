#!/usr/bin/env python3
"""Writes Pillow's bicubic resizes of a seeded test image, for the Java test of PilResize
(dtp-mamba/src/test/resources/resize/): source.png and one PNG per target size (lossless, so the
Java test can compare every byte).

Run with Debian's Pillow (apt-get install -y python3-pil):
  /usr/bin/python3 tools/make_resize_reference.py dtp-mamba/src/test/resources/resize
"""
import os
import random
import sys

from PIL import Image

SIZES = [(24, 24), (56, 56), (64, 40), (37, 29), (13, 7)]


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
    with open(os.path.join(out, "README"), "w") as f:
        f.write("Made by tools/make_resize_reference.py with Pillow %s\n" % Image.__version__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dtp-mamba/src/test/resources/resize")
