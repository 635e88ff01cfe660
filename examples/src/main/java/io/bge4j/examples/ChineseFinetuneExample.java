package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingReport;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricType;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import java.io.PrintWriter;
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
 * A Chinese fine-tune: bge-small-zh-v1.5 on the shipped {@code data/debian-packages-zh} (Chinese
 * Debian package summaries as queries, their Chinese descriptions as documents). The same four
 * steps as the English quickstart, in one screen of code: evaluate the base model on test queries,
 * mine hard negatives for training queries with the base model, fine-tune, evaluate again, and print
 * nDCG@10, Recall@10 and MRR@10 before and after.
 *
 * <p>Nothing is English-specific: the model's tokenizer handles Chinese, and the model's own query
 * instruction ({@code 为这个句子生成表示以用于检索相关文章：}) is prepended to queries in mining,
 * training and evaluation alike. For lexical negatives on Chinese text use
 * {@code Bm25NegativeSampler.builder().language(Bm25Language.CHINESE)}.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.ChineseFinetuneExample
 * [trainQueries=200] [testQueries=200] [epochs=1]}
 */
public final class ChineseFinetuneExample {

    private ChineseFinetuneExample() {}

    /**
     * What to run, and at what size.
     *
     * @param data a BEIR folder with train and test qrels (the shipped debian-packages-zh)
     * @param model preset name or model directory
     * @param output where the fine-tuned model is saved, or null to not save it
     * @param trainQueries training queries used (0 = all)
     * @param testQueries test queries evaluated (0 = all)
     * @param distractors documents outside train and test added to the test corpus
     * @param epochs passes over the training queries
     * @param batchSize queries per step
     * @param groupSize 1 positive + (groupSize-1) mined negatives per query
     * @param queryMaxLength query token budget
     * @param passageMaxLength passage token budget (training and evaluation)
     * @param learningRate peak learning rate
     * @param mineMargin mined negatives must score below {@code (1 - mineMargin)} times the positive
     *     (drops likely unlabelled positives; {@code Double.NaN} turns the check off)
     * @param seed drives subsets, mining and batching
     */
    public record Options(Path data, String model, Path output, int trainQueries, int testQueries, int distractors,
            int epochs, int batchSize, int groupSize, int queryMaxLength, int passageMaxLength, double learningRate,
            double mineMargin, long seed) {

        /** @return a configuration that takes a few minutes on a 2-core CPU */
        public static Options defaults() {
            return new Options(Path.of("data/debian-packages-zh"), "bge-small-zh-v1.5", null, 200, 200, 100, 1, 16, 4,
                    32, 128, 5e-5, 0.05, 42);
        }
    }

    /**
     * What the run measured.
     *
     * @param base the base model on the test queries
     * @param tuned the fine-tuned model on the same test queries and corpus
     * @param mining what the hard-negative miner did
     * @param training the fine-tune
     * @param testQueryIds the test queries evaluated
     */
    public record Outcome(EvaluationResult base, EvaluationResult tuned, SamplingReport mining,
            FinetuneResult training, List<String> testQueryIds) {}

    /**
     * Runs the whole job.
     *
     * @param o options
     * @param out where progress and the table go
     * @return the measurements
     */
    public static Outcome run(Options o, PrintWriter out) {
        Random rnd = new Random(o.seed());
        BeirDataset train = BeirDataset.load(o.data(), "train");
        BeirDataset test = BeirDataset.load(o.data(), "test");
        Corpus all = test.corpus();

        List<String> trainIds = subset(train.queries().byId().keySet(), o.trainQueries(), rnd);
        List<String> testIds = subset(test.queries().byId().keySet(), o.testQueries(), rnd);
        Set<String> trainDocs = relevant(train.qrels(), train.qrels().byQuery().keySet());
        Set<String> testDocs = relevant(test.qrels(), testIds);
        List<CorpusDocument> others = new ArrayList<>();
        for (CorpusDocument d : all.documents()) {
            if (!trainDocs.contains(d.id()) && !testDocs.contains(d.id())) {
                others.add(d);
            }
        }
        Collections.shuffle(others, rnd);
        // test retrieval: the test positives plus documents no training query is about
        List<CorpusDocument> testCorpusDocs = docs(all, testDocs);
        testCorpusDocs.addAll(others.subList(0, Math.min(o.distractors(), others.size())));
        Corpus testCorpus = Corpus.of(testCorpusDocs);
        // mining: negatives come from the documents of the training split only
        Corpus mineCorpus = Corpus.of(docs(all, trainDocs));

        Queries testQueries = Queries.of(texts(test.queries(), testIds));
        Qrels testQrels = Qrels.of(judgements(test.qrels(), testIds));
        RetrievalEvaluator evaluator = RetrievalEvaluator.builder().name("test").queries(testQueries)
                .corpus(testCorpus).qrels(testQrels).primary(Metric.NDCG_AT_10).build();
        out.printf("%s on %s: %d training queries (negatives from %d docs), %d test queries over %d docs%n",
                o.model(), o.data(), trainIds.size(), mineCorpus.size(), testIds.size(), testCorpus.size());
        out.flush();

        try (BgeModel model = BgeModel.load(o.model())) {
            EvaluationResult base;
            SamplingResult mined;
            try (Embedder e = model.embedder().maxLength(o.passageMaxLength()).batchSize(32).build()) {
                out.println("[1/4] evaluating the base model ...");
                out.flush();
                base = evaluator.evaluate(e).withName(o.model());
                out.println("[2/4] mining hard negatives with the base model ...");
                out.flush();
                List<TrainingExample> examples = new ArrayList<>();
                for (String q : trainIds) {
                    List<String> pos = new ArrayList<>();
                    train.qrels().judgements(q).forEach((d, rel) -> {
                        if (rel > 0) {
                            all.byId(d).ifPresent(doc -> pos.add(doc.fullText()));
                        }
                    });
                    if (!pos.isEmpty()) {
                        examples.add(TrainingExample.of(train.queries().text(q), pos, List.of()));
                    }
                }
                mined = DenseNegativeMiner.builder().embedder(e).rankWindow(2, 50)
                        .negativesPerQuery(Math.max(1, o.groupSize() - 1)).relativeMargin(o.mineMargin())
                        .selection(Selection.RANDOM).seed(o.seed()).build().sample(examples, mineCorpus);
                out.println("      " + mined.report().summary());
            }

            out.println("[3/4] fine-tuning ...");
            out.flush();
            FinetuneResult training = Finetuner.builder().model(model)
                    .trainingSet(mined.toTrainingSet("debian-packages-zh-train"))
                    .batchSize(o.batchSize()).groupSize(o.groupSize()).queryMaxLength(o.queryMaxLength())
                    .passageMaxLength(o.passageMaxLength()).learningRate(o.learningRate()).epochs(o.epochs())
                    .seed(o.seed()).listener(new ConsoleProgress(out)).build().fit();

            out.println("[4/4] evaluating the fine-tuned model ...");
            out.flush();
            EvaluationResult tuned;
            try (Embedder e = model.embedder().maxLength(o.passageMaxLength()).batchSize(32).build()) {
                tuned = evaluator.evaluate(e).withName(o.model() + " (fine-tuned)");
            }
            if (o.output() != null) {
                model.save(o.output());
                out.println("model saved to " + o.output());
            }
            out.printf("%n%-12s %8s %8s %8s%n", "metric", "base", "tuned", "delta");
            for (Metric m : List.of(Metric.NDCG_AT_10, new Metric(MetricType.RECALL, 10), Metric.MRR_AT_10)) {
                out.printf("%-12s %8.4f %8.4f %+8.4f%n", m, base.mean(m), tuned.mean(m), tuned.mean(m) - base.mean(m));
            }
            out.flush();
            return new Outcome(base, tuned, mined.report(), training, List.copyOf(testIds));
        }
    }

    /**
     * @param args optional: training queries, test queries, epochs
     */
    public static void main(String[] args) {
        Options d = Options.defaults();
        Options o = new Options(d.data(), d.model(), d.output(),
                args.length > 0 ? Integer.parseInt(args[0]) : d.trainQueries(),
                args.length > 1 ? Integer.parseInt(args[1]) : d.testQueries(), d.distractors(),
                args.length > 2 ? Integer.parseInt(args[2]) : d.epochs(), d.batchSize(), d.groupSize(),
                d.queryMaxLength(), d.passageMaxLength(), d.learningRate(), d.mineMargin(), d.seed());
        run(o, new PrintWriter(System.out, true));
    }

    private static List<String> subset(Set<String> ids, int n, Random rnd) {
        List<String> list = new ArrayList<>(ids);
        Collections.shuffle(list, rnd);
        return n <= 0 || n >= list.size() ? list : new ArrayList<>(list.subList(0, n));
    }

    private static Set<String> relevant(Qrels qrels, Iterable<String> queryIds) {
        Set<String> docs = new HashSet<>();
        for (String q : queryIds) {
            qrels.judgements(q).forEach((d, rel) -> {
                if (rel > 0) {
                    docs.add(d);
                }
            });
        }
        return docs;
    }

    private static List<CorpusDocument> docs(Corpus all, Set<String> ids) {
        List<CorpusDocument> out = new ArrayList<>();
        for (CorpusDocument d : all.documents()) {
            if (ids.contains(d.id())) {
                out.add(d);
            }
        }
        return out;
    }

    private static Map<String, String> texts(Queries queries, List<String> ids) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String id : ids) {
            m.put(id, queries.text(id));
        }
        return m;
    }

    private static Map<String, Map<String, Integer>> judgements(Qrels qrels, List<String> ids) {
        Map<String, Map<String, Integer>> m = new LinkedHashMap<>();
        for (String id : ids) {
            m.put(id, qrels.judgements(id));
        }
        return m;
    }
}
