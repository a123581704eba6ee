/**
 * Training the ShapesVQA demo model in Java: parameters, batches, the scan's gradient, Adam and
 * the vision pretraining stage ({@code dtp train}).
 */
package dev.dtp.bench.train;
