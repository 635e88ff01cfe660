package io.bge4j.eval.report;

import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Run;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the comparison page can show, beyond the {@link Comparison} itself: the two runs (to list
 * the top retrieved documents before and after for the queries that changed most), the corpus (their
 * texts), the qrels (which documents are relevant), and the data-mixing and mining reports of the
 * training data. Every part but the comparison is optional; the page leaves out what it was not given
 * and says how to get it.
 *
 * <p>Usage:
 * <pre>{@code
 * ComparisonReport r = ComparisonReport.builder(comparison)
 *     .runs(before, after)                 // EvaluationResults of an evaluator built with keepRun(true)
 *     .corpus(dev.corpus()).qrels(dev.qrels())
 *     .mining(MiningSummary.of(mined)).mixing(mix.report())
 *     .build();
 * HtmlReport.write(r, Path.of("runs/demo/comparison.html"));
 * }</pre>
 *
 * @param comparison the paired comparison
 * @param baseRun the base model's run, or null
 * @param tunedRun the tuned model's run, or null
 * @param corpus document texts, or null
 * @param qrels relevance judgements, or null
 * @param topDocuments how many retrieved documents to list per query and side
 * @param mixing the real/synthetic mixing report, or null
 * @param mining the hard-negative mining summary, or null
 */
public record ComparisonReport(Comparison comparison, Run baseRun, Run tunedRun, Corpus corpus, Qrels qrels,
        int topDocuments, MixReport mixing, MiningSummary mining) {

    /** Checks the comparison and the count. */
    public ComparisonReport {
        Objects.requireNonNull(comparison, "comparison");
        if (topDocuments < 1) {
            throw new IllegalArgumentException("topDocuments must be >= 1, got " + topDocuments);
        }
    }

    /**
     * @param c a comparison
     * @return a report of the comparison alone
     */
    public static ComparisonReport of(Comparison c) {
        return builder(c).build();
    }

    /**
     * @param c the comparison
     * @return a builder
     */
    public static Builder builder(Comparison c) {
        return new Builder(c);
    }

    /** @return whether the page can list retrieved documents (both runs are there) */
    public boolean hasRankings() {
        return baseRun != null && tunedRun != null;
    }

    /** @return the mixing report, if given */
    public Optional<MixReport> optionalMixing() {
        return Optional.ofNullable(mixing);
    }

    /** @return the mining summary, if given */
    public Optional<MiningSummary> optionalMining() {
        return Optional.ofNullable(mining);
    }

    /**
     * Collects the optional parts.
     *
     * <p>Usage: {@code ComparisonReport.builder(c).runs(before, after).corpus(corpus).qrels(qrels).build()}
     */
    public static final class Builder {
        private final Comparison comparison;
        private Run baseRun;
        private Run tunedRun;
        private Corpus corpus;
        private Qrels qrels;
        private int topDocuments = 3;
        private MixReport mixing;
        private MiningSummary mining;

        private Builder(Comparison c) {
            this.comparison = Objects.requireNonNull(c, "comparison");
        }

        /**
         * @param base the base result (its run, when kept)
         * @param tuned the tuned result (its run, when kept)
         * @return this
         */
        public Builder runs(EvaluationResult base, EvaluationResult tuned) {
            return runs(base.run(), tuned.run());
        }

        /**
         * @param base the base model's run, or null
         * @param tuned the tuned model's run, or null
         * @return this
         */
        public Builder runs(Run base, Run tuned) {
            this.baseRun = base;
            this.tunedRun = tuned;
            return this;
        }

        /** @param c the documents @return this */
        public Builder corpus(Corpus c) {
            this.corpus = c;
            return this;
        }

        /** @param q the judgements @return this */
        public Builder qrels(Qrels q) {
            this.qrels = q;
            return this;
        }

        /** @param n retrieved documents listed per query and side (default 3) @return this */
        public Builder topDocuments(int n) {
            this.topDocuments = n;
            return this;
        }

        /** @param r how real and synthetic data were mixed @return this */
        public Builder mixing(MixReport r) {
            this.mixing = r;
            return this;
        }

        /** @param m what negative mining produced @return this */
        public Builder mining(MiningSummary m) {
            this.mining = m;
            return this;
        }

        /**
         * @return the report
         * @throws IllegalArgumentException when {@code topDocuments} is below 1
         */
        public ComparisonReport build() {
            return new ComparisonReport(comparison, baseRun, tunedRun, corpus, qrels, topDocuments, mixing, mining);
        }
    }
}
