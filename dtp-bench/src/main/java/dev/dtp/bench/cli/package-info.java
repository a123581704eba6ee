/**
 * The {@code dtp} command line: one picocli command per tool (demo, generate, logits, flops,
 * bench, convert) and the options they share.
 */
package dev.dtp.bench.cli;
