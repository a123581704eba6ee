package dev.dtp.bench.eval;

/**
 * Probability scoring's arithmetic: the softmax over the vocabulary at the first answer step,
 * restricted to the candidates' first tokens and renormalised over them — which is the softmax
 * of those tokens' logits alone.
 */
final class CandidateProbabilities {
    private CandidateProbabilities() {}

    /**
     * @param logits the first answer step's logits over the vocabulary
     * @param firstTokens each candidate's first token id
     * @return each candidate's probability, summing to 1
     */
    static double[] of(float[] logits, int[] firstTokens) {
        double max = Double.NEGATIVE_INFINITY;
        for (int id : firstTokens) {
            if (id < 0 || id >= logits.length) {
                throw new IllegalArgumentException("candidate token id " + id + " is outside the vocabulary of "
                        + logits.length);
            }
            max = Math.max(max, logits[id]);
        }
        double[] p = new double[firstTokens.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[firstTokens[i]] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The index of the most probable candidate, the first on ties. */
    static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
