/**
 * Mamba's implicit attention: the token-to-token weights its scan applies (Eq. 4 and 5, the scan of
 * Eq. 2 unrolled).
 */
package dev.dtp.mamba.analysis;
