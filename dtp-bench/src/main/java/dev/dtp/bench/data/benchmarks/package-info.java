/**
 * Converters from the real benchmarks' files (GQA, VQAv2, TextVQA, POPE, VSR, VizWiz) to eval
 * JSONL, and their scoring.
 */
package dev.dtp.bench.data.benchmarks;
