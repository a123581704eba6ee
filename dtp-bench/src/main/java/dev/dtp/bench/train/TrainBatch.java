package dev.dtp.bench.train;

/**
 * One training or evaluation batch, already in arrays: visual patches, prompt + answer token ids
 * (right-padded; the model is causal, so padding never reaches an earlier position), and which
 * positions are scored against which target ids.
 *
 * @param pixels (batch, patches, patch_dim), preprocessed
 * @param ids (batch, textLength) token ids placed after the visual tokens
 * @param targetRows flattened row (sample · sequenceLength + position) of each scored position
 * @param targets target id per scored position
 * @param answerRows per sample, the row whose next-token prediction is the answer's first token
 */
record TrainBatch(int batch, int patches, float[] pixels, int textLength, int[] ids, int[] targetRows, int[] targets,
        int[] answerRows) {

    int sequenceLength() {
        return patches + textLength;
    }
}
