package io.bge4j.train.report;

import io.bge4j.core.BgeModel;
import java.util.Objects;

/**
 * The saved model's shape, as recorded in {@link Provenance#model()}: what a user needs to encode with it.
 *
 * <p>Usage: {@code ModelInfo info = ModelInfo.of(model); int d = info.dimension();}
 *
 * @param name the model's name
 * @param architecture the encoder type ({@code bert}, {@code xlm-roberta})
 * @param dimension embedding size
 * @param pooling CLS, MEAN or LAST_TOKEN
 * @param normalized whether embeddings are L2-normalised
 * @param maxLength token limit
 * @param queryInstruction the instruction prepended to queries (empty for none)
 * @param fingerprint {@link Fingerprints#model} of the saved weights
 */
public record ModelInfo(String name, String architecture, int dimension, String pooling, boolean normalized,
        int maxLength, String queryInstruction, String fingerprint) {
    /** Requires every text part. */
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(pooling, "pooling");
        queryInstruction = queryInstruction == null ? "" : queryInstruction;
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /**
     * @param m a model
     * @return its shape and weights fingerprint
     */
    public static ModelInfo of(BgeModel m) {
        return new ModelInfo(m.name(), m.config().modelType(), m.dimension(), m.pooling().name(), m.normalize(),
                m.maxLength(), m.queryInstruction(), Fingerprints.model(m));
    }
}
