/**
 * Performance measurements behind {@code dtp bench}: roofline figures and the implicit-attention
 * benchmark.
 */
package dev.dtp.bench.perf;
