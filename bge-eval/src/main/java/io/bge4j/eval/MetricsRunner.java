package io.bge4j.eval;

import io.bge4j.data.beir.QrelsFiles;
import io.bge4j.data.beir.QrelsFormat;
import io.bge4j.data.beir.Qrels;
import io.bge4j.eval.report.JsonReport;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * trec_eval-style scoring of a run file against a qrels file, for command-line tools: reads the qrels
 * (BEIR TSV with header {@code query-id corpus-id score}, TREC {@code qid 0 docid rel}, or FlagEmbedding
 * JSONL — detected automatically unless set) and the TREC 6-column run, and returns an
 * {@link EvaluationResult}; {@link #writeJson(EvaluationResult, Path)} writes the JSON report
 * ({@code {"mean": {"ndcg@10": ..}, "per_query": {qid: {..}}, ..}}).
 *
 * <p>Usage:
 * <pre>{@code
 * EvaluationResult r = MetricsRunner.builder().qrels(Path.of("qrels/test.tsv")).run(Path.of("run.trec"))
 *         .cutoffs(List.of(1, 3, 5, 10, 100)).build().evaluate();
 * MetricsRunner.writeJson(r, Path.of("results.json"));
 * }</pre>
 */
public final class MetricsRunner {
    private final Path qrelsFile;
    private final Path runFile;
    private final QrelsFormat qrelsFormat;
    private final MetricsCalculator calculator;

    private MetricsRunner(Builder b, MetricsCalculator calculator) {
        this.qrelsFile = b.qrels;
        this.runFile = b.run;
        this.qrelsFormat = b.qrelsFormat;
        this.calculator = calculator;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads both files and scores the run.
     *
     * @return the result, named after the run file
     * @throws io.bge4j.core.DataFormatException on a bad line in either file
     */
    public EvaluationResult evaluate() {
        Qrels qrels = qrelsFormat == null ? QrelsFiles.read(qrelsFile) : QrelsFiles.read(qrelsFile, qrelsFormat);
        Run run = TrecRunReader.read(runFile);
        return calculator.evaluate(qrels, run).withName(runFile.getFileName().toString());
    }

    /**
     * Writes the JSON report of a result atomically (see {@link JsonReport}).
     *
     * @param result the result
     * @param file the target file
     */
    public static void writeJson(EvaluationResult result, Path file) {
        JsonReport.write(result, file);
    }

    /**
     * Options of a {@link MetricsRunner}; {@link #build()} validates them.
     *
     * <p>Usage: {@code MetricsRunner.builder().qrels(q).run(r).build()}
     */
    public static final class Builder {
        private Path qrels;
        private Path run;
        private QrelsFormat qrelsFormat;
        private List<Metric> metrics = Metric.defaults();
        private Metric primary;
        private boolean missingAsZero;

        private Builder() {
        }

        /**
         * @param qrels the qrels file (required)
         * @return this builder
         */
        public Builder qrels(Path qrels) {
            this.qrels = qrels;
            return this;
        }

        /**
         * @param run the TREC run file (required)
         * @return this builder
         */
        public Builder run(Path run) {
            this.run = run;
            return this;
        }

        /**
         * @param format the qrels format; null (default) detects it
         * @return this builder
         */
        public Builder qrelsFormat(QrelsFormat format) {
            this.qrelsFormat = format;
            return this;
        }

        /**
         * @param cutoffs cutoffs at which every metric type is computed (default 1, 3, 5, 10, 100)
         * @return this builder
         */
        public Builder cutoffs(Collection<Integer> cutoffs) {
            for (int k : cutoffs) {
                if (k < 1) {
                    throw new IllegalArgumentException("cutoffs must be at least 1, found " + k);
                }
            }
            this.metrics = Metric.allAt(cutoffs);
            return this;
        }

        /**
         * @param metrics explicit metrics (instead of every type at the cutoffs)
         * @return this builder
         */
        public Builder metrics(Collection<Metric> metrics) {
            this.metrics = Metric.sortedDistinct(metrics);
            return this;
        }

        /**
         * @param primary the primary metric; default nDCG@10 when computed, else the first metric
         * @return this builder
         */
        public Builder primary(Metric primary) {
            this.primary = primary;
            return this;
        }

        /**
         * @param zero score judged queries missing from the run as 0 (trec_eval {@code -c})
         * @return this builder
         */
        public Builder scoreMissingQueriesAsZero(boolean zero) {
            this.missingAsZero = zero;
            return this;
        }

        /**
         * @return the runner
         * @throws IllegalArgumentException naming the bad option
         */
        public MetricsRunner build() {
            if (qrels == null) {
                throw new IllegalArgumentException("qrels file is required");
            }
            if (run == null) {
                throw new IllegalArgumentException("run file is required");
            }
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("metrics (or cutoffs) must not be empty");
            }
            Metric p = primary != null ? primary
                    : metrics.contains(Metric.NDCG_AT_10) ? Metric.NDCG_AT_10 : metrics.get(0);
            MetricsCalculator calculator = MetricsCalculator.builder().metrics(metrics).primary(p)
                    .scoreMissingQueriesAsZero(missingAsZero).build();
            return new MetricsRunner(this, calculator);
        }
    }

    /** @return the qrels file */
    public Path qrelsFile() {
        return qrelsFile;
    }

    /** @return the run file */
    public Path runFile() {
        return runFile;
    }

    /** @return the metrics computed */
    public List<Metric> metrics() {
        return calculator.metrics();
    }

    @Override
    public String toString() {
        return "MetricsRunner[qrels=" + qrelsFile + ", run=" + runFile + ", metrics=" + calculator.metrics() + "]";
    }
}
