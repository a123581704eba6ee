/**
 * The pruning API: a {@link dev.dtp.core.PruningPolicy} chooses per layer, from a {@link
 * dev.dtp.core.LayerContext} holding the layer's Δ, B and C, which tokens the scan keeps; prefills,
 * saved sequence states and traces. Depends on DJL's api only.
 */
package dev.dtp.core;
