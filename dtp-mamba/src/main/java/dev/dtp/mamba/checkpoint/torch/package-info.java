/**
 * PyTorch {@code .pt} state dicts read without Python: the zip container, a restricted unpickler
 * and tensor storages.
 */
package dev.dtp.mamba.checkpoint.torch;
