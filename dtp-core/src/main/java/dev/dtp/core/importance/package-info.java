/**
 * Token importance signals: Δ (Eq. 6, s_j = mean over d_inner of Δ_j), y, B and C.
 */
package dev.dtp.core.importance;
