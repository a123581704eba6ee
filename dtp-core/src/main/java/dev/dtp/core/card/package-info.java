/**
 * Model cards: a model's shape, token layout and DTP defaults as JSON.
 */
package dev.dtp.core.card;
