package io.bge4j.data.sampling;

/**
 * What a {@link NegativeSampler} did, in numbers, so that nothing it could not do goes unnoticed.
 *
 * <p>Usage: {@code if (r.examplesShort() > 0) log.warn("{} queries got fewer than {} negatives", r.examplesShort(), r.negativesPerQuery());}
 *
 * @param sampler a short name of the sampler
 * @param examples examples processed
 * @param negativesPerQuery negatives requested per example
 * @param negativesProduced negatives in the output, in total
 * @param examplesToppedUp examples that needed random negatives to reach the requested count
 * @param negativesToppedUp random negatives added by top-up, in total
 * @param examplesShort examples that still have fewer than requested (the corpus ran out)
 * @param positivesNotInCorpus positives whose text matched no corpus document (they are still
 *     excluded by text, but are a hint that the corpus is not the one the positives came from)
 * @param candidatesSkippedAsPositive retrieved candidates skipped because they are a positive
 * @param falseNegativesDropped candidates dropped as likely false negatives (score margins)
 */
public record SamplingReport(
        String sampler,
        int examples,
        int negativesPerQuery,
        long negativesProduced,
        int examplesToppedUp,
        long negativesToppedUp,
        int examplesShort,
        long positivesNotInCorpus,
        long candidatesSkippedAsPositive,
        long falseNegativesDropped) {

    /** @return a one-line human summary */
    public String summary() {
        return sampler + ": " + examples + " examples, " + negativesProduced + " negatives (" + negativesPerQuery
                + " requested per example); topped up " + examplesToppedUp + " examples with " + negativesToppedUp
                + " random negatives; " + examplesShort + " short; " + candidatesSkippedAsPositive
                + " positives skipped; " + falseNegativesDropped + " likely false negatives dropped; "
                + positivesNotInCorpus + " positives not found in the corpus";
    }
}
