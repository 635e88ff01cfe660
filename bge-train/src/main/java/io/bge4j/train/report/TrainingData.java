package io.bge4j.train.report;

import io.bge4j.data.TrainingSet;
import io.bge4j.data.synthetic.MixReport;
import java.util.Objects;

/**
 * The training data, as recorded in {@link Provenance#data()}: its name, size and fingerprint, and how real
 * and synthetic examples were mixed.
 *
 * <p>Usage: {@code builder.trainingData(new TrainingData("train.jsonl", 320, Fingerprints.file(jsonl), "file"))}
 *
 * @param name the set's name (e.g. the file name)
 * @param examples how many examples
 * @param sha256 a fingerprint ({@code sha256:...})
 * @param hashOf what was hashed: {@code "file"} (the file's bytes) or {@code "examples"} ({@link Fingerprints#examples})
 * @param mix how real and synthetic examples were mixed ({@link TrainingSet#mix()}), or null
 */
public record TrainingData(String name, long examples, String sha256, String hashOf, MixReport mix) {
    /** Requires every part. */
    public TrainingData {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(hashOf, "hashOf");
        if (examples < 0) {
            throw new IllegalArgumentException("examples must be >= 0, got " + examples);
        }
    }

    /**
     * Data without a mix report.
     *
     * @param name the set's name
     * @param examples how many examples
     * @param sha256 a fingerprint
     * @param hashOf what was hashed
     */
    public TrainingData(String name, long examples, String sha256, String hashOf) {
        this(name, examples, sha256, hashOf, null);
    }
}
