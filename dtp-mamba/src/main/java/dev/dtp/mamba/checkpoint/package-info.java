/**
 * Checkpoints: safetensors reading (memory-mapped, both naming layouts, F32/F16/BF16, sharded) and
 * writing, config.json, random checkpoints.
 */
package dev.dtp.mamba.checkpoint;
