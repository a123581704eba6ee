/**
 * The Hugging Face tokenizer of a model directory, through DJL's tokenizers binding.
 */
package dev.dtp.mamba.tokenizer;
