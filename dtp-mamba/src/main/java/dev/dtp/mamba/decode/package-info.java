/**
 * The fused CPU decode step: one token through every layer as a few passes over the weights'
 * memory (Java Vector API, rows split over the cores), for float32 and Q8_0 int8 weights.
 */
package dev.dtp.mamba.decode;
