/**
 * Datasets: the ShapesVQA generator (scenes, questions, rendering, PNG), the eval JSONL format and
 * its samples as model inputs, and answer metrics.
 */
package dev.dtp.bench.data;
