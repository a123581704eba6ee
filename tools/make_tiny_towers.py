#!/usr/bin/env python3
"""Writes tiny random versions of Cobra's and RoboMamba's vision towers, built with timm's own
model definitions, and the features timm computes for two test images, for the Java tests of the
ViT towers (dtp-mamba/src/test/resources/towers/), so CI needs no Python.

The towers are exactly timm's models (timm.create_model with the real names), narrower and with
3 blocks instead of 24/27; what makes each architecture different is kept:
  dinov2.safetensors   vit_large_patch14_reg4_dinov2.lvd142m: 4 register tokens, layer scale,
                       position embedding published for a larger image (98 px: 7 x 7 here, 518 px:
                       37 x 37 for real) that timm resamples when the model is built at 60 px (384)
  siglip.safetensors   vit_so400m_patch14_siglip_384: no class token, mlp_ratio 3.7362, MAP head
  clip.safetensors     vit_large_patch14_clip_224.openai with act_layer="quick_gelu" (RoboMamba's
                       call): pre-norm, no patch-embedding bias, LayerNorm eps 1e-5
The .safetensors files are the "published" weights, in timm's tensor names; the features come from
loading them the way timm loads pretrained weights (pretrained=True with a local file, so the
position embedding goes through timm's own checkpoint filter) and calling get_intermediate_layers
with n={len(blocks) - 2} as Cobra and RoboMamba do. Images are preprocessed as their code does:
Cobra resizes naively (Resize((S, S), bicubic)) and normalises per tower; RoboMamba resizes the
shorter side (Resize(S, bicubic)) and centre-crops.

Also written:
  tiny_cobra.pt        a Cobra-layout checkpoint whose projector reads the 32 + 48 = 80 concatenated
                       features (LM as tools/make_fake_checkpoints.py's)
  tiny_robomamba.pth   a RoboMamba-layout checkpoint holding the tiny CLIP under vision.model.*
  image-wide.png, image-tall.png   the test images (75 x 52 and 41 x 67)
  reference.safetensors  timm's features per tower and image (dinov2/IMAGE, siglip/IMAGE,
                       cobra/IMAGE = both concatenated per patch, clip/IMAGE), the tiny DINOv2's
                       resampled position embedding (dinov2/pos_embed), and a 37 x 37 -> 27 x 27
                       resample of random values at the real grid sizes (resample/in, resample/out)
  specs.json           each tower's architecture read off timm's model objects, in the Java ViTSpec's
                       JSON: "tiny" for the files here, "full" for the real towers (built on the meta
                       device), so the Java presets are checked against timm
  reference.json       the generator's settings (tower shapes, versions)

Run (needs torch, torchvision, timm, safetensors: pip install torch timm safetensors):
  python3 tools/make_tiny_towers.py dtp-mamba/src/test/resources/towers
"""
import json
import os
import sys

import timm
import torch
from PIL import Image
from safetensors.torch import save_file
from timm.data import create_transform, resolve_model_data_config
from timm.layers import resample_abs_pos_embed
from torch import nn
from torchvision.transforms import Compose, Resize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fake_checkpoints as fake  # noqa: E402  (the fakes' Mamba LM and projector modules)

SEED = 20261201
DEPTH = 3          # 24 (DINOv2, CLIP), 27 (SigLIP)
HEADS = 4          # 16
COBRA_SIZE = 60    # 384: both not multiples of 14, so the last pixels fall outside the patch grid
DINO_PUBLISHED = 98  # 518: DINOv2's position embedding is for this size
CLIP_SIZE = 56     # 224

TOWERS = {
    "dinov2": dict(name="vit_large_patch14_reg4_dinov2.lvd142m", embed_dim=32, image=COBRA_SIZE, published=DINO_PUBLISHED,
                   real_image=384),
    "siglip": dict(name="vit_so400m_patch14_siglip_384", embed_dim=48, image=COBRA_SIZE, published=COBRA_SIZE,
                   real_image=384),
    "clip": dict(name="vit_large_patch14_clip_224.openai", embed_dim=32, image=CLIP_SIZE, published=CLIP_SIZE,
                 act_layer="quick_gelu", real_image=224),
}
IMAGES = {"wide": (75, 52), "tall": (41, 67)}


def build(tower, img_size, **kwargs):
    extra = {"act_layer": tower["act_layer"]} if "act_layer" in tower else {}
    return timm.create_model(tower["name"], num_classes=0, img_size=img_size, embed_dim=tower["embed_dim"],
                             depth=DEPTH, num_heads=HEADS, **extra, **kwargs).eval()


def randomize(model, gen):
    """Values of the size real weights have, so that every part (layer scale, norms, biases) matters."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("gamma"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
            elif p.dim() == 1 and "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif "token" in name or "pos_embed" in name or "latent" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) / fan_in ** 0.5)


def published(tower, gen, out):
    """The tower's weights as timm publishes them: a model.safetensors in timm's names."""
    model = build(tower, tower["published"])
    randomize(model, gen)
    path = os.path.join(out, tower["file"])
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path)
    return path


def spec(model, published_model, feature_block):
    """The ViT's architecture in the Java tower's terms (ViTSpec's JSON), read off timm's model objects."""
    block = model.blocks[0]
    act = block.mlp.act
    act_id = {"GELU": "gelu_" + act.approximate if getattr(act, "approximate", "none") != "none" else "gelu",
              "QuickGELU": "quick_gelu"}.get(type(act).__name__, type(act).__name__)
    cfg = resolve_model_data_config(model)
    return {
        "timm": model.pretrained_cfg["architecture"] + ("." + model.pretrained_cfg["tag"] if model.pretrained_cfg.get("tag") else ""),
        "image_size": model.patch_embed.img_size[0], "patch_size": model.patch_embed.patch_size[0],
        "width": model.embed_dim, "depth": len(model.blocks), "heads": block.attn.num_heads,
        "mlp_hidden": block.mlp.fc1.out_features, "class_token": model.cls_token is not None,
        "registers": model.num_reg_tokens, "position_grid": published_model.patch_embed.grid_size[0],
        "positions_cover_prefix": not model.no_embed_class, "layer_scale": not isinstance(block.ls1, nn.Identity),
        "pre_norm": not isinstance(model.norm_pre, nn.Identity), "patch_bias": model.patch_embed.proj.bias is not None,
        "activation": act_id, "norm_eps": block.norm1.eps, "mean": list(cfg["mean"]), "std": list(cfg["std"]),
        "feature_block": feature_block,
    }


def full_size_specs():
    """The real towers' specs, from timm's full-size models built on the meta device (no memory, no weights)."""
    out = {}
    for key, tower in TOWERS.items():
        extra = {"act_layer": tower["act_layer"]} if "act_layer" in tower else {}
        with torch.device("meta"):
            model = timm.create_model(tower["name"], num_classes=0, img_size=tower["real_image"], **extra)
            published_model = timm.create_model(tower["name"], num_classes=0, **extra)
        out[key] = spec(model, published_model, len(model.blocks) - 2)
    return out


def loaded(tower, path):
    """The model Cobra/RoboMamba use: built at their image size, published weights loaded by timm."""
    return build(tower, tower["image"], pretrained=True, pretrained_cfg_overlay={"file": path})


def cobra_transform(model, size):
    """Cobra's "resize-naive": timm's eval transform with its resize replaced by Resize((S, S))."""
    cfg = resolve_model_data_config(model)
    cfg["input_size"] = (3, size, size)
    default = create_transform(**cfg, is_training=False)
    return Compose([Resize((size, size), interpolation=default.transforms[0].interpolation), *default.transforms[1:]])


def robomamba_transform(model, size):
    """RoboMamba's: timm's eval transform with its resize replaced by Resize(S) (shorter side)."""
    cfg = resolve_model_data_config(model)
    cfg["input_size"] = (3, size, size)
    default = create_transform(**cfg, is_training=False).transforms
    return Compose([Resize(size, interpolation=default[0].interpolation), *default[1:]])


def second_to_last(model, pixels):
    with torch.no_grad():
        return model.get_intermediate_layers(pixels[None], n={len(model.blocks) - 2})[0][0]


def image(w, h, gen):
    noise = torch.randint(0, 256, (h, w, 3), generator=gen, dtype=torch.uint8)
    y, x = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    smooth = torch.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 4) % 256], dim=2).to(torch.uint8)
    mask = (torch.rand((h, w, 1), generator=gen) < 0.25)
    return Image.fromarray(torch.where(mask, noise, smooth).numpy(), "RGB")


def tiny_checkpoints(clip_model, gen, out):
    """Cobra and RoboMamba checkpoints in the releases' layouts, sized for the tiny towers."""
    cobra_width = TOWERS["dinov2"]["embed_dim"] + TOWERS["siglip"]["embed_dim"]
    projector = fake.Holder("projector", fake.fused_gelu_mlp(cobra_width, fake.D_MODEL))
    llm_backbone = fake.Holder("llm", fake.MambaLM(fake.COBRA_VOCAB, "embedding"))
    fake.randomize(projector, gen)
    fake.randomize(llm_backbone, gen)
    torch.save(fake.cobra_checkpoint(projector, llm_backbone), os.path.join(out, "tiny_cobra.pt"))

    vlm = nn.Module()
    vlm.llm = fake.Holder("mamba", fake.MambaLM(fake.ROBO_VOCAB, "embeddings"))
    vlm.projector = fake.Holder("projector", fake.fused_gelu_mlp(TOWERS["clip"]["embed_dim"], fake.D_MODEL))
    fake.randomize(vlm, gen)
    state = {"vision.model." + k: v for k, v in clip_model.state_dict().items()}
    state.update(vlm.state_dict())
    torch.save(state, os.path.join(out, "tiny_robomamba.pth"))


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    images = {}
    for key, (w, h) in IMAGES.items():
        images[key] = image(w, h, gen)
        images[key].save(os.path.join(out, f"image-{key}.png"))

    ref = {}
    models = {}
    specs = {"tiny": {}, "full": full_size_specs()}
    for key, tower in TOWERS.items():
        tower["file"] = key + ".safetensors"
        models[key] = loaded(tower, published(tower, gen, out))
        specs["tiny"][key] = spec(models[key], build(tower, tower["published"]), len(models[key].blocks) - 2)
    for key, img in images.items():
        for tower_key in ("dinov2", "siglip"):
            pixels = cobra_transform(models[tower_key], COBRA_SIZE)(img)
            ref[f"{tower_key}/{key}"] = second_to_last(models[tower_key], pixels)
        ref[f"cobra/{key}"] = torch.cat([ref[f"dinov2/{key}"], ref[f"siglip/{key}"]], dim=1)
        ref[f"clip/{key}"] = second_to_last(models["clip"], robomamba_transform(models["clip"], CLIP_SIZE)(img))
    ref["dinov2/pos_embed"] = models["dinov2"].pos_embed.detach()[0]

    # the real grids: 518 px / 14 = 37 resampled to 384 px / 14 = 27, as timm does for Cobra's DINOv2
    grid = torch.randn((1, 37 * 37, 8), generator=gen)
    ref["resample/in"] = grid[0]
    ref["resample/out"] = resample_abs_pos_embed(grid, new_size=[27, 27], num_prefix_tokens=0)[0]
    save_file({k: v.float().contiguous() for k, v in ref.items()}, os.path.join(out, "reference.safetensors"))

    tiny_checkpoints(models["clip"], gen, out)
    settings = {
        "generator": "tools/make_tiny_towers.py", "torch_version": torch.__version__, "timm_version": timm.__version__,
        "seed": SEED, "depth": DEPTH, "heads": HEADS, "towers": TOWERS,
        "images": {k: list(v) for k, v in IMAGES.items()},
        "features": {k: list(v.shape) for k, v in ref.items()},
    }
    with open(os.path.join(out, "specs.json"), "w") as f:
        json.dump(specs, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(settings, f, indent=1)
        f.write("\n")
    for name in sorted(os.listdir(out)):
        print(f"{os.path.getsize(os.path.join(out, name)):>8}  {name}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dtp-mamba/src/test/resources/towers")
