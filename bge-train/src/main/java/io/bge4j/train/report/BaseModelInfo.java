package io.bge4j.train.report;

import java.util.Objects;

/**
 * The model training started from, as recorded in {@link Provenance#baseModel()}.
 *
 * <p>Usage: {@code String before = provenance.baseModel().fingerprint();}
 *
 * @param name its name (preset name or directory name)
 * @param source where it was loaded from (Hugging Face id, directory, preset)
 * @param fingerprint {@link Fingerprints#model} of the weights before training
 */
public record BaseModelInfo(String name, String source, String fingerprint) {
    /** Requires every part. */
    public BaseModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
