/**
 * Generation: configs, seeded sampling, streaming listeners and results.
 */
package dev.dtp.core.generate;
