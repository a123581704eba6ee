/**
 * Vision transformers as timm builds them (DINOv2 with registers, SigLIP, CLIP), run on DJL NDArrays
 * from timm's own safetensors: the architecture ({@link dev.dtp.mamba.vision.vit.ViTSpec}), timm's
 * tensor names ({@link dev.dtp.mamba.vision.vit.ViTTensors}), attention, the block and the
 * transformer itself.
 */
package dev.dtp.mamba.vision.vit;
