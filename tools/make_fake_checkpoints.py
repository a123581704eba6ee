#!/usr/bin/env python3
"""Writes small, seeded fake PyTorch checkpoints for the Java `.pt` reader tests.

The fakes carry exactly the key names and nesting of the real releases (see docs/COBRA.md for
where each layout was confirmed) but tiny shapes, so they can be committed and CI needs no Python:

  cobra_fake_f32.pt    {"model": {"projector": ..., "llm_backbone": ...}}   like Cobra's latest-checkpoint.pt
  cobra_fake_bf16.pt   the same model cast to bfloat16
  robomamba_fake.pth   flat {"vision.*", "llm.*", "projector.*"} state dict  like RoboMamba's released .pth
  views.pt             views into shared storages (offsets, non-contiguous strides) and F16/BF16/other dtypes
  cobra_fake_zip64.pt  cobra_fake_f32.pt re-packed with zip64 records everywhere (a >4 GiB file's layout)
  cobra_fake_deflated.pt  cobra_fake_f32.pt re-packed with DEFLATE-compressed entries
  malicious_os_system.pt  data.pkl calls os.system via GLOBAL + REDUCE (must be refused, never run)
  malicious_nested.pt     a plausible state dict hiding builtins.eval via STACK_GLOBAL (protocol 4)
  reference.json       values computed here by torch, for the Java tests to check independently
                       (per-tensor sums and leading values, and CRCs of torch's F16/BF16 -> F32 tables)

Run with Debian's torch (apt-get install -y python3-torch):
  /usr/bin/python3 tools/make_fake_checkpoints.py dtp-mamba/src/test/resources/torch
"""
import io
import json
import math
import os
import struct
import sys
import zipfile
import zlib

import torch
from torch import nn

SEED = 20240611

# Tiny stand-ins for the real sizes (real values in comments).
D_MODEL = 16        # 2560
N_LAYER = 2         # 64
D_STATE = 4         # 16
D_CONV = 4          # 4
EXPAND = 2          # 2
COBRA_VOCAB = 40    # 50280 (xiuyul/mamba-2.8b-zephyr, padded to a multiple of 8)
ROBO_VOCAB = 48     # 50280 (state-spaces/mamba-2.8b-hf)
COBRA_VISION = 12   # 2176 = DINOv2 ViT-L (1024) + SigLIP so400m (1152) fused features
ROBO_VISION = 8     # 1024 (CLIP ViT-L/14)
ROBO_DEPTH = 2      # 24
ROBO_PATCH = 14     # 14
ROBO_IMAGE = 28     # 224 -> 256 patches; here 4


# --- Modules whose attribute names reproduce the real state-dict keys -------------------------------

class RMSNormWeight(nn.Module):
    """An RMSNorm as far as its state dict goes: one `weight`, no bias."""

    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))


class SelectiveMixer(nn.Module):
    """Parameters of one Mamba mixer under their mamba_ssm names."""

    def __init__(self, d_model, d_state, d_conv, expand):
        super().__init__()
        d_inner = expand * d_model
        dt_rank = math.ceil(d_model / 16)
        self.in_proj = nn.Linear(d_model, 2 * d_inner, bias=False)
        self.conv1d = nn.Conv1d(d_inner, d_inner, d_conv, groups=d_inner, padding=d_conv - 1, bias=True)
        self.x_proj = nn.Linear(d_inner, dt_rank + 2 * d_state, bias=False)
        self.dt_proj = nn.Linear(dt_rank, d_inner, bias=True)
        a = torch.arange(1, d_state + 1, dtype=torch.float32).repeat(d_inner, 1)
        self.A_log = nn.Parameter(torch.log(a))
        self.D = nn.Parameter(torch.ones(d_inner))
        self.out_proj = nn.Linear(d_inner, d_model, bias=False)


class MixerBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.mixer = SelectiveMixer(D_MODEL, D_STATE, D_CONV, EXPAND)
        self.norm = RMSNormWeight(D_MODEL)


class MambaBackbone(nn.Module):
    def __init__(self, vocab, embedding_attr):
        super().__init__()
        setattr(self, embedding_attr, nn.Embedding(vocab, D_MODEL))
        self.layers = nn.ModuleList([MixerBlock() for _ in range(N_LAYER)])
        self.norm_f = RMSNormWeight(D_MODEL)


class MambaLM(nn.Module):
    """backbone + lm_head, with lm_head tied to the embedding as in both releases."""

    def __init__(self, vocab, embedding_attr):
        super().__init__()
        self.backbone = MambaBackbone(vocab, embedding_attr)
        self.lm_head = nn.Linear(D_MODEL, vocab, bias=False)
        self.lm_head.weight = getattr(self.backbone, embedding_attr).weight


class Holder(nn.Module):
    """A module that only adds one attribute level to the keys (e.g. `llm.`, `mamba.`, `projector.`)."""

    def __init__(self, name, child):
        super().__init__()
        setattr(self, name, child)


def fused_gelu_mlp(vision_dim, llm_dim):
    # Linear(v -> 4v) -> GELU -> Linear(4v -> d) -> GELU -> Linear(d -> d): keys 0, 2, 4
    return nn.Sequential(
        nn.Linear(vision_dim, 4 * vision_dim), nn.GELU(),
        nn.Linear(4 * vision_dim, llm_dim), nn.GELU(),
        nn.Linear(llm_dim, llm_dim))


class ViTBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm1 = nn.LayerNorm(d)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(d, 3 * d)
        self.attn.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(d, 4 * d)
        self.mlp.fc2 = nn.Linear(4 * d, d)


class ClipViT(nn.Module):
    """The state-dict keys of timm's vit_large_patch14_clip_224.openai with num_classes=0."""

    def __init__(self, d, depth, patch, image):
        super().__init__()
        n_patches = (image // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, n_patches + 1, d))
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, d, patch, stride=patch, bias=False)
        self.norm_pre = nn.LayerNorm(d)
        self.blocks = nn.ModuleList([ViTBlock(d) for _ in range(depth)])
        self.norm = nn.LayerNorm(d)


def randomize(module, gen):
    """Seeded values everywhere (defaults are ones/zeros, useless for checking reads)."""
    with torch.no_grad():
        for p in module.parameters():  # tied parameters are visited once
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)


# --- The fakes ------------------------------------------------------------------------------------

def cobra_state(gen):
    projector = Holder("projector", fused_gelu_mlp(COBRA_VISION, D_MODEL))
    llm_backbone = Holder("llm", MambaLM(COBRA_VOCAB, "embedding"))
    randomize(projector, gen)
    randomize(llm_backbone, gen)
    return projector, llm_backbone


def cobra_checkpoint(projector, llm_backbone):
    # What Cobra's training strategies torch.save(): {"model": {module_key: module.state_dict()}}
    return {"model": {"projector": projector.state_dict(), "llm_backbone": llm_backbone.state_dict()}}


def robomamba_state(gen):
    vlm = nn.Module()
    vlm.vision = Holder("model", ClipViT(ROBO_VISION, ROBO_DEPTH, ROBO_PATCH, ROBO_IMAGE))
    vlm.llm = Holder("mamba", MambaLM(ROBO_VOCAB, "embeddings"))
    vlm.projector = Holder("projector", fused_gelu_mlp(ROBO_VISION, D_MODEL))
    randomize(vlm, gen)
    return vlm.state_dict()


def signed16(bits):
    return [b - 0x10000 if b >= 0x8000 else b for b in bits]


def views_state(gen):
    base = torch.randn(4, 6, generator=gen)
    half_bits = [0x0000, 0x8000, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x7C00, 0xFC00, 0x7E00, 0x3555]
    half = torch.tensor(signed16(half_bits), dtype=torch.int16).view(torch.float16)
    bf16_bits = [0x0000, 0x8000, 0x3F80, 0xC000, 0x7F7F, 0x0001, 0x7F80, 0xFF80, 0x7FC0, 0x4049]
    bf16 = torch.tensor(signed16(bf16_bits), dtype=torch.int16).view(torch.bfloat16)
    return {
        "base": base,
        "row2": base[2],
        "tail": base[1:],
        "col3": base[:, 3],
        "transposed": base.t(),
        "half": half,
        "half_matrix": (torch.randn(3, 5, generator=gen)).half(),
        "bf16": bf16,
        "long": torch.arange(6, dtype=torch.int64),
        "double": torch.linspace(0, 1, 5, dtype=torch.float64),
    }


# --- Reference values -----------------------------------------------------------------------------

def flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from flatten(v, f"{prefix}{k}.")
    elif isinstance(obj, torch.Tensor):
        yield prefix[:-1], obj


def describe(t):
    entry = {
        "dtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "stride": list(t.stride()),
        "storage_offset": t.storage_offset(),
    }
    if t.dtype in (torch.float32, torch.float16, torch.bfloat16):
        f = t.float().contiguous().flatten()
        entry["sum"] = float(f.double().sum()) if torch.isfinite(f).all() else None
        entry["abs_sum"] = float(f.double().abs().sum()) if torch.isfinite(f).all() else None
        entry["first"] = [float(x) for x in f[:4]] if torch.isfinite(f[:4]).all() else None
        entry["float32_bits"] = [int(b) for b in f.view(torch.int32)] if f.numel() <= 16 else None
    return entry


def reference(path):
    obj = torch.load(path)
    tensors = dict(flatten(obj))
    shared = {}
    for name, t in tensors.items():
        shared.setdefault(t.storage().data_ptr(), []).append(name)
    return {
        "tensors": {name: describe(t) for name, t in tensors.items()},
        "shared_storages": sorted(names for names in shared.values() if len(names) > 1),
    }


def conversion_table_crc(dtype):
    """CRC-32 of the little-endian float32 values of all 65536 16-bit patterns, widened by torch."""
    bits = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16)
    order = torch.cat([bits[32768:], bits[:32768]])  # patterns 0x0000 .. 0xFFFF
    widened = order.view(dtype).float()
    return zlib.crc32(widened.numpy().astype("<f4").tobytes()) & 0xFFFFFFFF


# --- Zip variants and malicious pickles ------------------------------------------------------------

def read_entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def write_deflated(path, entries):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)


def write_zip64_everywhere(path, entries):
    """STORED entries whose sizes and offsets all live in zip64 extra fields, plus zip64 end records."""
    out = io.BytesIO()
    central = []
    for name, data in entries:
        raw_name = name.encode()
        crc = zlib.crc32(data) & 0xFFFFFFFF
        offset = out.tell()
        local_extra = struct.pack("<HHQQ", 0x0001, 16, len(data), len(data))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc,
                              0xFFFFFFFF, 0xFFFFFFFF, len(raw_name), len(local_extra)))
        out.write(raw_name + local_extra + data)
        central.append((raw_name, crc, len(data), offset))
    cd_start = out.tell()
    for raw_name, crc, size, offset in central:
        extra = struct.pack("<HHQQQ", 0x0001, 24, size, size, offset)
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc,
                              0xFFFFFFFF, 0xFFFFFFFF, len(raw_name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF))
        out.write(raw_name + extra)
    cd_size = out.tell() - cd_start
    eocd64 = out.tell()
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0,
                          len(central), len(central), cd_size, cd_start))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    with open(path, "wb") as f:
        f.write(out.getvalue())


def write_pickle_archive(path, archive, pickle_bytes):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in ((f"{archive}/data.pkl", pickle_bytes), (f"{archive}/version", b"3\n")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)


MARKER = "/tmp/dtp_torch_reader_pwned"


def os_system_pickle():
    # Hand-assembled protocol 2: os.system("touch MARKER"), the classic pickle payload.
    cmd = f"touch {MARKER}".encode()
    return (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(cmd)) + cmd
            + b"\x85" + b"R" + b".")


def nested_eval_pickle():
    # Protocol 4: {"model": {"w": <builtins.eval("...")>}} with the global fetched by STACK_GLOBAL.
    def unicode(s):
        b = s.encode()
        return b"\x8c" + bytes([len(b)]) + b
    expr = f"__import__('os').system('touch {MARKER}')"
    return (b"\x80\x04" + b"}" + unicode("model") + b"}" + unicode("w")
            + unicode("builtins") + unicode("eval") + b"\x93" + unicode(expr) + b"\x85" + b"R"
            + b"s" + b"s" + b".")


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED)
    written = []

    def save(obj, name):
        path = os.path.join(out_dir, name)
        torch.save(obj, path)
        written.append(name)
        return path

    projector, llm_backbone = cobra_state(gen)
    f32 = save(cobra_checkpoint(projector, llm_backbone), "cobra_fake_f32.pt")
    projector.to(torch.bfloat16)
    llm_backbone.to(torch.bfloat16)
    save(cobra_checkpoint(projector, llm_backbone), "cobra_fake_bf16.pt")
    save(robomamba_state(gen), "robomamba_fake.pth")
    save(views_state(gen), "views.pt")

    entries = read_entries(f32)
    write_zip64_everywhere(os.path.join(out_dir, "cobra_fake_zip64.pt"), entries)
    write_deflated(os.path.join(out_dir, "cobra_fake_deflated.pt"), entries)
    written += ["cobra_fake_zip64.pt", "cobra_fake_deflated.pt"]
    write_pickle_archive(os.path.join(out_dir, "malicious_os_system.pt"), "malicious_os_system", os_system_pickle())
    write_pickle_archive(os.path.join(out_dir, "malicious_nested.pt"), "malicious_nested", nested_eval_pickle())

    ref = {
        "generator": "tools/make_fake_checkpoints.py",
        "torch_version": torch.__version__,
        "seed": SEED,
        "malicious_marker": MARKER,
        "f16_table_crc32": conversion_table_crc(torch.float16),
        "bf16_table_crc32": conversion_table_crc(torch.bfloat16),
        "files": {name: reference(os.path.join(out_dir, name)) for name in written},
    }
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=False)
        f.write("\n")
    for name in sorted(os.listdir(out_dir)):
        print(f"{os.path.getsize(os.path.join(out_dir, name)):>8}  {name}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dtp-mamba/src/test/resources/torch")
