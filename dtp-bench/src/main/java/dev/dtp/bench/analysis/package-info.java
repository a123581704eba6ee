/**
 * Layer analysis and automatic layer choice: the Δ-importance spread of Eq. 7, implicit attention,
 * the text-to-visual share and VTW's KL per layer ({@code dtp analyze}, {@code dtp calibrate}),
 * with their charts.
 */
package dev.dtp.bench.analysis;
