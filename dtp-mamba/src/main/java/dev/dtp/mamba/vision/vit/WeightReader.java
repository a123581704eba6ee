package dev.dtp.mamba.vision.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.mamba.checkpoint.SafetensorsFile;

/** Reads one ViT's tensors (timm names under a prefix) from a mapped file into the weights' manager, as float32. */
record WeightReader(SafetensorsFile file, String prefix, NDManager manager) {
    NDArray get(String name) {
        return file.load(prefix + name, manager);
    }

    /** The tensor, or null where the spec has no such part. */
    NDArray optional(boolean present, String name) {
        return present ? get(name) : null;
    }
}
