package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.loss.EmbeddingLoss;

/**
 * The options of one run, with the model-dependent defaults resolved for its model.
 *
 * @param config the finetuner's options
 * @param model the model this run trains
 * @param trainingSet the examples this run starts from
 * @param queryMaxLength query token budget
 * @param passageMaxLength passage token budget
 * @param learningRate peak learning rate
 * @param loss the loss every step computes (Matryoshka wrapping included)
 * @param guide which guide scores guided masking, with the fingerprint of its weights taken when the run
 *     was resolved (before any update), or {@code "none"}; part of the {@link RunFingerprint}
 */
record RunSettings(FinetuneConfig config, BgeModel model, TrainingSet trainingSet, int queryMaxLength,
        int passageMaxLength, double learningRate, EmbeddingLoss loss, String guide) {

    /** The longer token budget, used by evaluation and mining embedders, as the model was trained. */
    int embedderMaxLength() {
        return Math.max(queryMaxLength, passageMaxLength);
    }
}
