package io.bge4j.data.sampling;

import io.bge4j.core.rerank.Reranker;
import io.bge4j.data.TrainingExample;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops likely false negatives by rescoring them with a reranker (cross-encoder), after any negative
 * sampler: a negative whose score is at least {@code p − margin}, where p is the lowest score of the
 * example's positives, is dropped (it looks as relevant as a known answer). Kept negatives and all
 * positives carry the reranker's scores as teacher scores ({@code pos_scores}/{@code neg_scores}) unless
 * that is switched off, so the output can be distilled from directly.
 *
 * <p>It composes with the samplers' output: {@link #apply(SamplingResult)} takes a
 * {@link SamplingResult} (from {@link DenseNegativeMiner}, {@link Bm25NegativeSampler}, ...) and returns
 * one with the same examples in the same order, provenance filtered alongside, and the report's
 * {@code falseNegativesDropped}, {@code negativesProduced} and {@code examplesShort} updated.
 *
 * <p>Usage:
 * <pre>{@code
 * CrossEncoderNegativeFilter.Outcome o = CrossEncoderNegativeFilter.builder().reranker(ce).margin(0.5).build()
 *         .apply(miner.sample(train, corpus));
 * o.result().writeJsonl(Path.of("mined-filtered-scored.jsonl"));
 * }</pre>
 */
public final class CrossEncoderNegativeFilter {

    /**
     * The filtered result and what the filter did.
     *
     * @param result the examples with kept negatives (and teacher scores), provenance and updated report
     * @param pairsScored query-passage pairs the reranker scored
     * @param negativesBefore negatives in the input
     * @param negativesDropped negatives dropped as likely false negatives
     * @param examplesEmptied examples that had negatives and have none left
     */
    public record Outcome(SamplingResult result, long pairsScored, long negativesBefore, long negativesDropped,
            int examplesEmptied) {

        /** @return a one-line summary */
        public String summary() {
            return "cross-encoder filter: dropped " + negativesDropped + " of " + negativesBefore
                    + " negatives as likely false negatives (" + pairsScored + " pairs scored); " + examplesEmptied
                    + " examples left without negatives";
        }
    }

    private final Reranker reranker;
    private final double margin;
    private final boolean keepTeacherScores;

    private CrossEncoderNegativeFilter(Builder b) {
        this.reranker = b.reranker;
        this.margin = b.margin;
        this.keepTeacherScores = b.keepTeacherScores;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param in a sampler's output
     * @return the filtered output and counts
     */
    public Outcome apply(SamplingResult in) {
        List<TrainingExample> out = new ArrayList<>(in.examples().size());
        List<List<SampledNegative>> prov = new ArrayList<>(in.provenance().size());
        long pairs = 0;
        long before = 0;
        long dropped = 0;
        long produced = 0;
        int emptied = 0;
        int shortCount = 0;
        for (int x = 0; x < in.examples().size(); x++) {
            TrainingExample e = in.examples().get(x);
            List<String> passages = new ArrayList<>(e.positives());
            passages.addAll(e.negatives());
            float[] s = reranker.score(e.query(), passages);
            if (s.length != passages.size()) {
                throw new IllegalStateException("the reranker returned " + s.length + " scores for "
                        + passages.size() + " passages");
            }
            pairs += s.length;
            int np = e.positives().size();
            double lowestPositive = Double.POSITIVE_INFINITY;
            List<Double> posScores = new ArrayList<>(np);
            for (int i = 0; i < np; i++) {
                lowestPositive = Math.min(lowestPositive, s[i]);
                posScores.add((double) s[i]);
            }
            List<String> keptNeg = new ArrayList<>();
            List<Double> keptScores = new ArrayList<>();
            List<SampledNegative> keptProv = new ArrayList<>();
            for (int j = 0; j < e.negatives().size(); j++) {
                double score = s[np + j];
                before++;
                if (!(score < lowestPositive - margin)) {  // also drops NaN scores
                    dropped++;
                    continue;
                }
                keptNeg.add(e.negatives().get(j));
                keptScores.add(score);
                if (!in.provenance().isEmpty()) {
                    keptProv.add(in.provenance().get(x).get(j));
                }
            }
            if (!e.negatives().isEmpty() && keptNeg.isEmpty()) {
                emptied++;
            }
            if (keptNeg.size() < in.report().negativesPerQuery()) {
                shortCount++;
            }
            produced += keptNeg.size();
            TrainingExample.Builder b = e.toBuilder().negatives(keptNeg);
            if (keepTeacherScores) {
                b.positiveScores(posScores).negativeScores(keptScores);
            } else {
                b.positiveScores(null).negativeScores(null);
            }
            out.add(b.build());
            if (!in.provenance().isEmpty()) {
                prov.add(keptProv);
            }
        }
        SamplingReport r = in.report();
        SamplingReport report = new SamplingReport(r.sampler() + "+cross-encoder-filter", r.examples(),
                r.negativesPerQuery(), produced, r.examplesToppedUp(), r.negativesToppedUp(), shortCount,
                r.positivesNotInCorpus(), r.candidatesSkippedAsPositive(), r.falseNegativesDropped() + dropped);
        return new Outcome(new SamplingResult(out, report, prov), pairs, before, dropped, emptied);
    }

    /**
     * @param examples examples with negatives (e.g. read from a mined JSONL file)
     * @return the filtered examples and counts
     */
    public Outcome apply(List<TrainingExample> examples) {
        int max = 0;
        for (TrainingExample e : examples) {
            max = Math.max(max, e.negatives().size());
        }
        return apply(SamplingResult.of("input", examples, max));
    }

    /**
     * Options of a {@link CrossEncoderNegativeFilter}; {@link #build()} validates them.
     *
     * <p>Usage: {@code CrossEncoderNegativeFilter.builder().reranker(ce).margin(0.0).build()}
     */
    public static final class Builder {
        private Reranker reranker;
        private double margin;
        private boolean keepTeacherScores = true;

        private Builder() {}

        /** @param reranker scores the candidates (required) @return this */
        public Builder reranker(Reranker reranker) {
            this.reranker = reranker;
            return this;
        }

        /**
         * @param margin drop a negative scored at least {@code lowest positive − margin}; 0 (default) drops those
         *     scored at or above the positive; larger values drop more; in the reranker's score units
         * @return this
         */
        public Builder margin(double margin) {
            this.margin = margin;
            return this;
        }

        /** @param keep write the reranker's scores as teacher scores on the kept examples (default true) @return this */
        public Builder keepTeacherScores(boolean keep) {
            this.keepTeacherScores = keep;
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException naming the bad option
         */
        public CrossEncoderNegativeFilter build() {
            if (reranker == null) {
                throw new IllegalArgumentException("reranker is required (e.g. a CrossEncoder)");
            }
            if (!Double.isFinite(margin) || margin < 0) {
                throw new IllegalArgumentException("margin must be finite and >= 0, got " + margin);
            }
            return new CrossEncoderNegativeFilter(this);
        }
    }

    @Override
    public String toString() {
        return "CrossEncoderNegativeFilter[margin " + margin + (keepTeacherScores ? ", teacher scores" : "") + "]";
    }
}
