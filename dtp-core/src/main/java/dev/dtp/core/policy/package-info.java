/**
 * The built-in policies — DTP (Sec. 4.2), FastV, VTW, random, top-k over all tokens — and the spec
 * grammar that names them.
 */
package dev.dtp.core.policy;
