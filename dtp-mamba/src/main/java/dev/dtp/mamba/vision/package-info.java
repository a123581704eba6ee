/**
 * The multimodal front end: image preprocessing, patch embedding or precomputed features, the
 * projector, prompt templates, and image states reused across questions.
 */
package dev.dtp.mamba.vision;
