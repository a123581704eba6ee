/**
 * The forward pass: per layer project → select → gather → mix → add (norm, in_proj, conv, x_proj,
 * Δ; the policy; the scan of Eq. 2, gate, out_proj), continued from saved states, and decoding one
 * or many sequences.
 */
package dev.dtp.mamba.model;
