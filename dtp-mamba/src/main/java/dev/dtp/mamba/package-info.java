/**
 * The Mamba model on DJL NDArrays: its configuration; checkpoints, forward pass, scan kernels,
 * decoding, tokenizer and vision front end live in the subpackages.
 */
package dev.dtp.mamba;
