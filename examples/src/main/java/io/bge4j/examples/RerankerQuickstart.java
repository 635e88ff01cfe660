package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.MetricType;
import io.bge4j.eval.RerankingEvaluator;
import io.bge4j.eval.RerankingResult;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.report.JsonReport;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.rerank.RerankerFinetuneResult;
import io.bge4j.train.rerank.RerankerFinetuner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The reranker job end to end on the shipped Debian set: evaluate bge-small-en-v1.5 on held-out test
 * queries (the first stage), mine hard negatives for training queries with it, build a cross-encoder from
 * the same checkpoint (new seeded head), fine-tune it with FlagEmbedding's group loss, rerank the first
 * stage's top k on the test queries, and print the before/after table with paired bootstrap intervals
 * and p-values.
 *
 * <p>Hygiene: the test corpus holds the test queries' relevant documents plus unlabelled distractors; the
 * mining corpus holds the training queries' relevant documents plus a disjoint slice of unlabelled
 * distractors; no document used to mine or train appears in the test corpus.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.RerankerQuickstart [output-dir
 * [trainQueries [testQueries [topK [epochs [learningRate]]]]]]}
 */
public final class RerankerQuickstart {

    private RerankerQuickstart() {}

    /**
     * Sizes of the run.
     *
     * @param data the BEIR folder with train/test qrels
     * @param model preset name or model directory (embedder, first stage and cross-encoder initialisation)
     * @param output where the cross-encoder and the comparison go
     * @param trainQueries training queries used
     * @param testQueries test queries
     * @param testDistractors unlabelled documents in the test corpus
     * @param mineDistractors unlabelled documents (disjoint from the test ones) in the mining corpus
     * @param topK first-stage documents reranked per test query
     * @param epochs passes over the training queries
     * @param batchSize queries per step
     * @param groupSize 1 positive + (groupSize-1) mined negatives per query
     * @param queryMaxLength FlagEmbedding's query_max_len
     * @param passageMaxLength FlagEmbedding's passage_max_len
     * @param learningRate peak learning rate
     * @param seed drives subsets, mining, batching, head initialisation and dropout
     */
    public record Options(Path data, String model, Path output, int trainQueries, int testQueries,
            int testDistractors, int mineDistractors, int topK, int epochs, int batchSize, int groupSize,
            int queryMaxLength, int passageMaxLength, double learningRate, long seed) {

        /** @return the reduced configuration measured in docs/rerankers.md */
        public static Options defaults() {
            return new Options(Path.of("data/debian-packages-en"), "bge-small-en-v1.5", Path.of("runs/reranker"),
                    240, 100, 200, 500, 10, 1, 8, 4, 32, 64, 1e-4, 42);
        }
    }

    /** What the run measured. */
    public record Outcome(RerankingResult reranking, RerankerFinetuneResult training, double seconds) {}

    /**
     * @param args optional: output directory, train queries, test queries, top k, epochs, learning rate
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Options d = Options.defaults();
        Options o = new Options(d.data(), d.model(), args.length > 0 ? Path.of(args[0]) : d.output(),
                args.length > 1 ? Integer.parseInt(args[1]) : d.trainQueries(),
                args.length > 2 ? Integer.parseInt(args[2]) : d.testQueries(), d.testDistractors(),
                d.mineDistractors(), args.length > 3 ? Integer.parseInt(args[3]) : d.topK(),
                args.length > 4 ? Integer.parseInt(args[4]) : d.epochs(), d.batchSize(), d.groupSize(),
                d.queryMaxLength(), d.passageMaxLength(),
                args.length > 5 ? Double.parseDouble(args[5]) : d.learningRate(), d.seed());
        run(o, new PrintWriter(System.out, true));
    }

    /**
     * @param o options
     * @param out progress and the table
     * @return the measurements
     * @throws Exception on failure
     */
    public static Outcome run(Options o, PrintWriter out) throws Exception {
        long t0 = System.nanoTime();
        Random rnd = new Random(o.seed());
        BeirDataset test = BeirDataset.load(o.data(), "test");
        BeirDataset dev = BeirDataset.load(o.data(), "dev");
        BeirDataset train = BeirDataset.load(o.data(), "train");
        Corpus all = test.corpus();
        Set<String> labelled = new HashSet<>();
        for (Qrels q : List.of(test.qrels(), dev.qrels(), train.qrels())) {
            q.byQuery().values().forEach(j -> j.forEach((d, rel) -> {
                if (rel > 0) {
                    labelled.add(d);
                }
            }));
        }
        List<CorpusDocument> pool = new ArrayList<>();
        for (CorpusDocument d : all.documents()) {
            if (!labelled.contains(d.id())) {
                pool.add(d);
            }
        }
        Collections.shuffle(pool, rnd);
        int nt = Math.min(o.testDistractors(), pool.size());
        int nm = Math.min(o.mineDistractors(), pool.size() - nt);
        List<String> testIds = subset(new ArrayList<>(test.queries().byId().keySet()), o.testQueries(), rnd);
        List<String> trainIds = subset(new ArrayList<>(train.queries().byId().keySet()), o.trainQueries(), rnd);
        Corpus testCorpus = Corpus.forQueries(all, test.qrels(), testIds, pool.subList(0, nt));
        Corpus mineCorpus = Corpus.forQueries(all, train.qrels(), trainIds, pool.subList(nt, nt + nm));
        Queries testQueries = sub(test.queries(), testIds);
        Qrels testQrels = subQrels(test.qrels(), testIds);
        out.printf("bge4j reranker quickstart: %s on %s%n", o.model(), o.data());
        out.printf("  test: %d queries over %d docs, top %d reranked | train: %d queries, negatives mined from %d"
                + " docs (disjoint from the test corpus)%n", testIds.size(), testCorpus.size(), o.topK(),
                trainIds.size(), mineCorpus.size());
        out.printf("  cross-encoder: B=%d, G=%d, lengths %d/%d, lr %.0e, %d epoch(s)%n", o.batchSize(), o.groupSize(),
                o.queryMaxLength(), o.passageMaxLength(), o.learningRate(), o.epochs());
        out.flush();
        Files.createDirectories(o.output());
        try (BgeModel model = BgeModel.load(o.model())) {
            out.println("[1/4] first stage: the embedder on the test queries ...");
            out.flush();
            RetrievalEvaluator testEval = RetrievalEvaluator.builder().name("test").queries(testQueries)
                    .corpus(testCorpus).qrels(testQrels).keepRun(true).build();
            EvaluationResult first;
            try (Embedder e = model.embedder().maxLength(o.passageMaxLength()).batchSize(32).build()) {
                first = testEval.evaluate(e).withName(o.model());
            }
            out.printf("      nDCG@10 %.4f (%.0f s)%n", first.mean(Metric.NDCG_AT_10), secs(t0));

            out.println("[2/4] mining hard negatives for the training queries ...");
            out.flush();
            List<TrainingExample> examples = new ArrayList<>();
            for (String q : trainIds) {
                List<String> pos = new ArrayList<>();
                for (String d : train.qrels().judgements(q).keySet()) {
                    all.byId(d).ifPresent(doc -> pos.add(doc.fullText()));
                }
                examples.add(TrainingExample.of(train.queries().text(q), pos, List.of()));
            }
            SamplingResult mined;
            try (Embedder e = model.embedder().maxLength(o.passageMaxLength()).batchSize(32).build()) {
                mined = DenseNegativeMiner.builder().embedder(e).rankWindow(2, 40).negativesPerQuery(o.groupSize() - 1)
                        .relativeMargin(0.05).selection(Selection.RANDOM).seed(o.seed()).build()
                        .sample(examples, mineCorpus);
            }
            out.printf("      %s (%.0f s)%n", mined.report().summary(), secs(t0));

            out.println("[3/4] fine-tuning a cross-encoder initialised from " + o.model() + " ...");
            out.flush();
            PairLimits limits = PairLimits.training(o.queryMaxLength(), o.passageMaxLength());
            try (CrossEncoder ce = CrossEncoder.loader().limits(limits).batchSize(32).fromEmbedder(model, o.seed())) {
                RerankerFinetuneResult training = RerankerFinetuner.builder().model(ce).examples(mined.examples())
                        .groupSize(o.groupSize()).batchSize(o.batchSize()).queryMaxLength(o.queryMaxLength())
                        .passageMaxLength(o.passageMaxLength()).learningRate(o.learningRate()).epochs(o.epochs())
                        .seed(o.seed()).listener(new ConsoleProgress(out)).build().fit();
                out.printf("      %d steps in %.0f s%n", training.steps().size(), training.seconds());
                ce.save(o.output().resolve("cross-encoder"));

                out.printf("[4/4] reranking the first stage's top %d on the test queries ...%n", o.topK());
                out.flush();
                RerankingResult r = RerankingEvaluator.builder().name("test").queries(testQueries).corpus(testCorpus)
                        .qrels(testQrels).topK(o.topK()).seed(o.seed()).build()
                        .evaluate(first.run(), ce, first.withName(o.model() + " (first stage)"));
                JsonReport.write(r.comparison(), o.output().resolve("comparison.json"));
                printTable(r.comparison(), out);
                out.printf("reranked %d pairs in %.0f s; cross-encoder: %s%ntotal time: %.1f min%n", r.pairsScored(),
                        r.rerankSeconds(), o.output().resolve("cross-encoder"), secs(t0) / 60);
                out.flush();
                return new Outcome(r, training, secs(t0));
            }
        }
    }

    static void printTable(Comparison cmp, PrintWriter out) {
        out.println();
        out.printf("%-12s %8s %8s %8s   %-19s %8s%n", "metric", "first", "reranked", "delta", "95% CI", "p");
        for (Metric m : List.of(Metric.NDCG_AT_10, new Metric(MetricType.RECALL, 10), Metric.MRR_AT_10)) {
            MetricComparison c = cmp.metric(m);
            out.printf("%-12s %8.4f %8.4f %+8.4f   [%+.4f, %+.4f] %8.4f%n", m, c.base(), c.tuned(), c.delta(), c.ciLow(),
                    c.ciHigh(), c.pValue());
        }
        out.println();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static List<String> subset(List<String> ids, int n, Random rnd) {
        Collections.shuffle(ids, rnd);
        return n <= 0 || n >= ids.size() ? ids : new ArrayList<>(ids.subList(0, n));
    }


    private static Queries sub(Queries q, List<String> ids) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String id : ids) {
            m.put(id, q.text(id));
        }
        return Queries.of(m);
    }

    private static Qrels subQrels(Qrels q, List<String> ids) {
        Map<String, Map<String, Integer>> m = new LinkedHashMap<>();
        for (String id : ids) {
            m.put(id, q.judgements(id));
        }
        return Qrels.of(m);
    }
}
