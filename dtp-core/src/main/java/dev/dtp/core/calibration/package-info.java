/**
 * Choosing DTP's layers and keep ratio from measured statistics: the importance spread of Eq. 7
 * and the keep ratio for a FLOPs target.
 */
package dev.dtp.core.calibration;
