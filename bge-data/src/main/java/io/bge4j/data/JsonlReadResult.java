package io.bge4j.data;

/**
 * What {@link FlagJsonlReader#read(java.nio.file.Path)} returns: the examples and what happened
 * while reading them.
 *
 * <p>Usage: {@code TrainingSet set = reader.read(file).trainingSet();}
 *
 * @param trainingSet the examples read, named after the data set
 * @param report line counts and skipped-line errors
 */
public record JsonlReadResult(TrainingSet trainingSet, JsonlReadReport report) {
}
