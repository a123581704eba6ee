/**
 * {@code dtp eval}: every policy on every sample, images prefilled once and questions continued
 * from their state, resumable predictions and the paper's Table 1 layout.
 */
package dev.dtp.bench.eval;
