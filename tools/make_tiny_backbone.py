#!/usr/bin/env python3
"""Writes a tiny TorchScript vision backbone, a test image and torch's features for it, for the
Java test of TorchScriptBackbone (dtp-mamba/src/test/resources/backbone/).

The module stands in for an exported Cobra vision tower (docs/COBRA.md): it takes a (1, 3, 56, 56)
image in [0, 1], normalises it itself (the "input": "unit" convention), cuts 14x14 patches with a
strided convolution and returns (1, 16, 12) patch features: 16 patches, 12 features each — the width
of the Cobra fake checkpoint's projector, so the two can be combined in one model directory.

Run with Debian's torch (apt-get install -y python3-torch):
  /usr/bin/python3 tools/make_tiny_backbone.py dtp-mamba/src/test/resources/backbone
"""
import json
import os
import struct
import sys
import zlib

import torch
from torch import nn

SEED = 20261127
SIZE = 56
PATCH = 14
WIDTH = 12


class TinyBackbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.patch = nn.Conv2d(3, WIDTH, kernel_size=PATCH, stride=PATCH)
        self.mix = nn.Linear(WIDTH, WIDTH)

    def forward(self, pixels):
        x = (pixels - self.mean) / self.std
        x = self.patch(x)                      # (1, W, 4, 4)
        x = x.flatten(2).transpose(1, 2)       # (1, 16, W), patches row-major
        return self.mix(nn.functional.gelu(x))


def png(path, rgb):
    """Writes an 8-bit RGB PNG without PIL: rows of (filter 0, r, g, b, ...)."""
    h, w = len(rgb), len(rgb[0])
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in rgb)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    module = TinyBackbone().eval()
    rgb = [[((x * 37 + y * 11) % 256, (x * 5 + y * 23) % 256, (x * y) % 256) for x in range(SIZE)] for y in range(SIZE)]
    png(os.path.join(out, "image.png"), rgb)
    pixels = torch.tensor(rgb, dtype=torch.float32).permute(2, 0, 1).unsqueeze(0) / 255.0
    traced = torch.jit.trace(module, pixels)
    traced.save(os.path.join(out, "backbone.pt"))
    with torch.no_grad():
        features = traced(pixels)[0]
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"generator": "tools/make_tiny_backbone.py", "torch_version": torch.__version__, "seed": SEED,
                   "image_size": SIZE, "patches": features.shape[0], "feature_width": features.shape[1],
                   "features": [round(float(v), 7) for v in features.flatten()]}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dtp-mamba/src/test/resources/backbone")
