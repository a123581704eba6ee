package dev.dtp.bench.eval;

/**
 * What one policy's answers cost this run: wall time of answering its questions (visual
 * encoding excluded, shared by the policies) and the largest resident memory seen while its
 * tensors were alive (sampled at the end of each image's answers, before they are freed).
 *
 * @param peakResidentBytes -1 where /proc is unavailable
 */
public record PolicyCost(long wallNanos, long peakResidentBytes) {
    public static final PolicyCost NONE = new PolicyCost(0, -1);

    PolicyCost plus(long nanos, long residentBytes) {
        return new PolicyCost(wallNanos + nanos, Math.max(peakResidentBytes, residentBytes));
    }
}
