/**
 * Multiply-accumulate counts of a (pruned) prefill, from a model's shape and a pruning trace, that
 * reproduce the paper's FLOPs ratios.
 */
package dev.dtp.core.flops;
