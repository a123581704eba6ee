/**
 * Conversion of released Cobra and RoboMamba checkpoints into model directories.
 */
package dev.dtp.mamba.convert;
