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
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.report.ComparisonReport;
import io.bge4j.eval.report.HtmlReport;
import io.bge4j.eval.report.MiningSummary;
import io.bge4j.eval.report.JsonReport;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.examples.cli.EncodingProgress;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.report.OutputFile;
import io.bge4j.train.merge.VerdictMerge;
import io.bge4j.train.report.VerdictReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The end-to-end job a new user runs first: evaluate bge-small-en-v1.5 on held-out Debian package
 * queries, mine hard negatives for training queries with the base model, fine-tune with evaluation on
 * dev queries and early stopping, evaluate the best model on the same test queries, and print a
 * before/after table with bootstrap confidence intervals and p-values. Saves the model and an HTML report.
 * When the general-domain guard {@code wordnet-nouns-en} lies next to the data folder (as shipped), base and
 * tuned are also evaluated on its test split, and the verdict (improved / no significant change / regressed per
 * evaluator, from the paired interval, with the queries that got better and worse) is printed and written to
 * {@code verdict.md} and {@code verdict.json}. When the target improved but the guard regressed, the merge ratio with
 * the base is measured on the dev splits ({@code measureMerge}) and the verdict carries it, with the
 * {@code bge4j merge} command that writes that merge.
 *
 * <p>The default sizes fit 15 minutes on a 2-core CPU; {@link Options#full()} uses whole splits.
 *
 * <p>Usage: {@code Quickstart.run(Quickstart.Options.defaults(), new PrintWriter(System.out, true));}
 */
public final class Quickstart {

    private Quickstart() {}

    /**
     * What the quickstart does, and at what size.
     *
     * @param data a BEIR folder with train/dev/test qrels (the shipped debian-packages-en)
     * @param model preset name or model directory
     * @param output where the model, reports and metrics go
     * @param trainQueries training queries used (0 = all)
     * @param devQueries dev queries for early stopping (0 = all)
     * @param testQueries test queries (0 = all)
     * @param distractors unlabelled documents added to each retrieval corpus (0 = none, -1 = all)
     * @param epochs passes over the training queries
     * @param batchSize queries per step
     * @param groupSize 1 positive + (groupSize-1) mined negatives per query
     * @param queryMaxLength query token budget
     * @param passageMaxLength passage token budget (training and evaluation)
     * @param learningRate peak learning rate
     * @param evaluateEvery dev evaluation interval in steps
     * @param seed drives subsets, mining, batching and dropout
     */
    public record Options(Path data, String model, Path output, int trainQueries, int devQueries, int testQueries,
            int distractors, int epochs, int batchSize, int groupSize, int queryMaxLength, int passageMaxLength,
            double learningRate, int evaluateEvery, long seed) {

        /** @return the 15-minute CPU configuration */
        public static Options defaults() {
            return new Options(Path.of("data/debian-packages-en"), "bge-small-en-v1.5", Path.of("runs/quickstart"),
                    320, 60, 500, 250, 2, 16, 3, 32, 96, 5e-5, 14, 42);
        }

        /** @return whole splits, whole corpus, longer passages, two epochs: for a GPU or a long night */
        public Options full() {
            return new Options(data, model, output, 0, 0, 0, -1, 2, 32, 8, 64, 256, 3e-5, 50, seed);
        }
    }

    /**
     * What the run measured.
     *
     * @param base the base model on test
     * @param tuned the best model on test
     * @param comparison base vs tuned on test
     * @param training the fine-tune's result
     * @param modelDir where the best model was saved
     * @param report the comparison page
     * @param seconds the whole run's time
     * @param verdict the verdict on test and, when it was found, on the general-domain guard
     * @param verdictFile {@code verdict.md} (with {@code verdict.json} next to it)
     */
    public record Outcome(EvaluationResult base, EvaluationResult tuned, Comparison comparison, FinetuneResult training,
            Path modelDir, Path report, double seconds, FinetuneVerdict verdict, Path verdictFile) {}

    /** The general-domain guard's folder name, looked for next to {@link Options#data()}. */
    static final String GUARD = "wordnet-nouns-en";

    /**
     * Runs the whole job.
     *
     * @param o options
     * @param out where progress and the table go
     * @return the measurements
     */
    public static Outcome run(Options o, PrintWriter out) throws Exception {
        long t0 = System.nanoTime();
        Splits sp = splits(o);
        BeirDataset test = sp.test();
        BeirDataset train = sp.train();
        Corpus all = sp.all();
        List<String> testIds = sp.testIds();
        List<String> devIds = sp.devIds();
        List<String> trainIds = sp.trainIds();
        Corpus testCorpus = sp.testCorpus();
        Corpus devCorpus = sp.devCorpus();
        Corpus mineCorpus = sp.mineCorpus();

        out.printf("bge4j quickstart: %s on %s%n", o.model(), o.data());
        out.printf("  test: %d queries over %d docs | dev: %d queries over %d docs | train: %d queries, negatives mined"
                + " from %d docs%n", testIds.size(), testCorpus.size(), devIds.size(), devCorpus.size(), trainIds.size(),
                mineCorpus.size());
        out.printf("  sizes chosen to finish in <= 15 min on 2 CPU cores (B=%d, G=%d, lengths %d/%d, %d epoch(s));"
                + " pass --full to use whole splits%n", o.batchSize(), o.groupSize(), o.queryMaxLength(),
                o.passageMaxLength(), o.epochs());
        out.flush();

        Files.createDirectories(o.output());
        Path guardDir = o.data().resolveSibling(GUARD);
        RetrievalEvaluator guardEval = Files.isRegularFile(guardDir.resolve("qrels/test.tsv")) ? guard(guardDir, "test") : null;
        // the quickstart's own encodings report progress like the CLI's (calls under 256 texts stay quiet)
        EncodingProgress progress = EncodingProgress.to(out, System.console() != null);
        try (BgeModel model = BgeModel.load(o.model())) {
            RetrievalEvaluator testEval = sp.testEvaluator();
            RetrievalEvaluator devEval = sp.devEvaluator();

            out.println("[1/4] evaluating the base model on test" + (guardEval == null ? "" : " and on the"
                    + " general-domain guard " + GUARD + " test") + " ...");
            out.flush();
            EvaluationResult base;
            EvaluationResult baseGuard = null;
            try (Embedder e = model.embedder().maxLength(o.passageMaxLength()).batchSize(32).progress(progress)
                    .build()) {
                base = testEval.evaluate(e).withName(o.model());
                if (guardEval != null) {
                    baseGuard = guardEval.evaluate(e).withName(o.model());
                }
            }
            out.printf("      base nDCG@10 %.4f%s (%.0f s)%n", base.mean(Metric.NDCG_AT_10), baseGuard == null ? ""
                    : String.format(java.util.Locale.ROOT, ", %s %.4f", GUARD, baseGuard.mean(Metric.NDCG_AT_10)),
                    secs(t0));

            out.println("[2/4] mining hard negatives for the training queries with the base model ...");
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
            try (Embedder e = model.embedder().maxLength(o.passageMaxLength()).batchSize(32).progress(progress)
                    .build()) {
                mined = DenseNegativeMiner.builder().embedder(e).rankWindow(2, 40).negativesPerQuery(o.groupSize() - 1)
                        .relativeMargin(0.05).selection(Selection.RANDOM).seed(o.seed()).build()
                        .sample(examples, mineCorpus);
            }
            out.printf("      %s (%.0f s)%n", mined.report().summary(), secs(t0));

            out.println("[3/4] fine-tuning with dev evaluation and early stopping ...");
            out.flush();
            Path runDir = o.output().resolve("training");
            FinetuneResult training = Finetuner.builder().model(model).trainingSet(TrainingSet.of("debian-train",
                    mined.examples())).batchSize(o.batchSize()).groupSize(o.groupSize())
                    .queryMaxLength(o.queryMaxLength()).passageMaxLength(o.passageMaxLength())
                    .learningRate(o.learningRate()).epochs(o.epochs()).seed(o.seed()).lengthBucketing(true)
                    .evaluator(devEval, Metric.NDCG_AT_10).evaluateEvery(o.evaluateEvery()).earlyStopping(3, 0.001)
                    .outputDir(runDir).saveFinal(false).listener(new ConsoleProgress(out)).build().fit();

            out.println("[4/4] evaluating the best model on test" + (guardEval == null ? "" : " and " + GUARD)
                    + " ...");
            out.flush();
            EvaluationResult tuned;
            EvaluationResult tunedGuard = null;
            try (Embedder e = training.bestModel().embedder().maxLength(o.passageMaxLength()).batchSize(32)
                    .progress(progress).build()) {
                tuned = testEval.evaluate(e).withName(o.model() + " (fine-tuned)");
                if (guardEval != null) {
                    tunedGuard = guardEval.evaluate(e).withName(o.model() + " (fine-tuned)");
                }
            }
            Comparison cmp = Comparison.builder().base(base.withQueryTexts(sub(test.queries(), testIds).byId()))
                    .tuned(tuned.withQueryTexts(sub(test.queries(), testIds).byId())).seed(o.seed()).build();
            Path modelDir = o.output().resolve("model");
            training.bestModel().save(modelDir);
            Path report = o.output().resolve("report.html");
            // the page shows, for the queries that changed most, the relevant and the retrieved documents
            HtmlReport.write(ComparisonReport.builder(cmp).runs(base, tuned).corpus(sp.testCorpus())
                    .qrels(subQrels(test.qrels(), testIds)).mining(MiningSummary.of(mined)).build(), report);
            JsonReport.write(cmp, o.output().resolve("comparison.json"));
            printTable(cmp, out);
            Map<String, Comparison> guards = new LinkedHashMap<>();
            if (guardEval != null) {
                guards.put(GUARD + " test", Comparison.builder().base(baseGuard).tuned(tunedGuard).seed(o.seed())
                        .topQueries(0).build());
            }
            FinetuneVerdict verdict = FinetuneVerdict.of(o.data().getFileName() + " test", cmp, guards,
                    Metric.NDCG_AT_10);
            if (verdict.needsMerge() && Files.isRegularFile(guardDir.resolve("qrels/dev.tsv"))) {
                verdict = measureMerge(verdict, o, sp, guardDir, training.bestModel(), progress, out); // dev, not test
            }
            if (training.bestModel() != training.finalModel()) {
                training.bestModel().close();
            }
            String next = nextStep(verdict, o, modelDir, guardDir, guardEval != null);
            out.print(verdict.render());
            if (next != null) {
                out.println("next step:");
                next.lines().forEach(l -> out.println("  " + l));
            }
            Path verdictFile = o.output().resolve(VerdictReport.MARKDOWN);
            for (OutputFile f : VerdictReport.write(o.output(), verdict, next)) {
                if (!f.written()) {
                    out.println("note: " + f.reason());
                }
            }
            out.printf("%nmodel: %s%nreport: %s%nverdict: %s%ntraining log: %s%ntotal time: %.1f min%n", modelDir,
                    report, verdictFile, runDir.resolve("metrics.jsonl"), secs(t0) / 60);
            out.flush();
            return new Outcome(base, tuned, cmp, training, modelDir, report, secs(t0), verdict, verdictFile);
        }
    }

    /**
     * The target improved on test but the guard regressed: measures the merge ratio with the base, on the dev splits
     * (quickstart dev, the guard's dev; five ratios, each evaluated on both, drop bounded by 0.01), so that the test
     * splits stay for reporting. The same search as the trainer's ({@link VerdictMerge}).
     *
     * @return the verdict carrying the measured ratio
     */
    static FinetuneVerdict measureMerge(FinetuneVerdict v, Options o, Splits sp, Path guardDir, BgeModel tuned,
            EncodingProgress progress, PrintWriter out) {
        out.println("      the target gained and the guard lost: measuring the merge ratio with the base on the dev"
                + " splits (" + o.data().getFileName() + " dev, " + GUARD + " dev; guard drop <= "
                + VerdictMerge.DEFAULT_MAX_GENERAL_DROP + ") ...");
        out.flush();
        try (BgeModel base = BgeModel.load(o.model())) {
            Optional<VerdictMerge.Measured> m = VerdictMerge.builder().base(base).tuned(tuned)
                    .target(sp.devEvaluator()).guard(GUARD + " test", guard(guardDir, "dev"))
                    .embedders(x -> x.embedder().maxLength(o.passageMaxLength()).batchSize(32).progress(progress)
                            .build()).build().measure(v);
            m.ifPresent(x -> out.print(x.search().table()));
            return m.map(VerdictMerge.Measured::verdict).orElse(v);
        }
    }

    /**
     * What to do after the verdict: with a measured merge ({@link #measureMerge}) its weights, else the merge search
     * when the target improved and the guard regressed.
     */
    static String nextStep(FinetuneVerdict v, Options o, Path modelDir, Path guardDir, boolean guarded) {
        if (v.needsMerge() && v.optionalMerge().isPresent()) {
            return VerdictMerge.nextStep(v.merge(), o.model(), modelDir, o.output().resolve("merged"),
                    VerdictMerge.DEFAULT_MAX_GENERAL_DROP);
        }
        if (v.needsMerge()) {
            return "# the target gained and the general-domain guard lost: measure a merge ratio with the base\n"
                    + "bge4j merge --model " + o.model() + " --model " + modelDir + " --search --data " + o.data()
                    + " --split dev --general " + guardDir + " --general-split dev --max-general-drop 0.01 --output "
                    + o.output().resolve("merged");
        }
        if (v.target().outcome() == io.bge4j.eval.verdict.Outcome.IMPROVED) {
            return guarded ? null : "# check that general-domain quality held:\nbge4j evaluate --model " + o.model()
                    + " --model " + modelDir + " --data <a set outside your domain> --split test";
        }
        if (v.target().outcome() == io.bge4j.eval.verdict.Outcome.NO_SIGNIFICANT_CHANGE) {
            return "# no significant gain: use more training queries (quickstart --full), more epochs or harder"
                    + " negatives, then compare again";
        }
        return "# keep the base model; check the training pairs and lower the learning rate";
    }

    private static RetrievalEvaluator guard(Path dir, String split) {
        BeirDataset d = BeirDataset.load(dir, split);
        return RetrievalEvaluator.builder().name(GUARD + "-" + split).queries(d.queries()).corpus(d.corpus())
                .qrels(d.qrels()).primary(Metric.NDCG_AT_10).build();
    }

    static void printTable(Comparison cmp, PrintWriter out) {
        out.println();
        out.printf("%-12s %8s %8s %8s   %-19s %8s%n", "metric", "base", "tuned", "delta", "95% CI", "p");
        for (Metric m : List.of(Metric.NDCG_AT_10, new Metric(io.bge4j.eval.MetricType.RECALL, 10), Metric.MRR_AT_10)) {
            MetricComparison c = cmp.metric(m);
            out.printf("%-12s %8.4f %8.4f %+8.4f   [%+.4f, %+.4f] %8.4f%n", m, c.base(), c.tuned(), c.delta(), c.ciLow(),
                    c.ciHigh(), c.pValue());
        }
        out.println();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void relevantDocs(Qrels qrels, Set<String> into) {
        for (Map<String, Integer> j : qrels.byQuery().values()) {
            j.forEach((d, rel) -> {
                if (rel > 0) {
                    into.add(d);
                }
            });
        }
    }

    /** The quickstart's data: query subsets and their corpora (no document shared between test, dev and mining). */
    record Splits(BeirDataset test, BeirDataset dev, BeirDataset train, Corpus all, List<String> testIds,
            List<String> devIds, List<String> trainIds, Corpus testCorpus, Corpus devCorpus, Corpus mineCorpus) {

        /** @return nDCG@10 on the test queries over the test corpus */
        RetrievalEvaluator testEvaluator() {
            return RetrievalEvaluator.builder().name("test").queries(sub(test.queries(), testIds)).corpus(testCorpus)
                    .qrels(subQrels(test.qrels(), testIds)).primary(Metric.NDCG_AT_10).keepRun(true).build();
        }

        /** @return nDCG@10 on the dev queries over the dev corpus */
        RetrievalEvaluator devEvaluator() {
            return RetrievalEvaluator.builder().name("dev").queries(sub(dev.queries(), devIds)).corpus(devCorpus)
                    .qrels(subQrels(dev.qrels(), devIds)).primary(Metric.NDCG_AT_10).build();
        }
    }

    /**
     * @param o options (data, sizes, seed)
     * @return the subsets and corpora the run uses, the same for the same options
     */
    static Splits splits(Options o) {
        Random rnd = new Random(o.seed());
        BeirDataset test = BeirDataset.load(o.data(), "test");
        BeirDataset dev = BeirDataset.load(o.data(), "dev");
        BeirDataset train = BeirDataset.load(o.data(), "train");
        Corpus all = test.corpus();

        Set<String> evalDocs = new HashSet<>();
        relevantDocs(test.qrels(), evalDocs);
        relevantDocs(dev.qrels(), evalDocs);
        Set<String> trainDocs = new HashSet<>();
        relevantDocs(train.qrels(), trainDocs);
        List<CorpusDocument> distractorPool = new ArrayList<>();
        for (CorpusDocument d : all.documents()) {
            if (!evalDocs.contains(d.id()) && !trainDocs.contains(d.id())) {
                distractorPool.add(d);
            }
        }
        Collections.shuffle(distractorPool, rnd);

        List<String> testIds = subset(new ArrayList<>(test.queries().byId().keySet()), o.testQueries(), rnd);
        List<String> devIds = subset(new ArrayList<>(dev.queries().byId().keySet()), o.devQueries(), rnd);
        List<String> trainIds = subset(new ArrayList<>(train.queries().byId().keySet()), o.trainQueries(), rnd);
        // test, dev and mining corpora share no document: no labelled one, and each gets its own disjoint slice
        // of the shuffled distractor pool (test first, then dev, then mining), so no mined training negative is
        // ever a test or dev distractor
        int[] slices = distractorSlices(distractorPool.size(), o.distractors(), devIds.size());
        int nd = slices[0];
        int ndDev = slices[1];
        Corpus testCorpus = Corpus.forQueries(all, test.qrels(), testIds, distractorPool.subList(0, nd));
        Corpus devCorpus = Corpus.forQueries(all, dev.qrels(), devIds, distractorPool.subList(nd, nd + ndDev));
        Corpus mineCorpus = Corpus.forQueries(all, train.qrels(), trainIds, distractorPool.subList(nd + ndDev, nd + ndDev + nd));
        return new Splits(test, dev, train, all, testIds, devIds, trainIds, testCorpus, devCorpus, mineCorpus);
    }

    /**
     * Sizes of the three disjoint distractor slices: test and mining get {@code requested} each (all that fits
     * when negative), dev gets twice its query count; shrunk evenly when the pool cannot hold them all.
     *
     * @return {test (= mining) slice size, dev slice size}
     */
    static int[] distractorSlices(int pool, int requested, int devQueries) {
        int dev = Math.min(Math.max(2 * devQueries, 1), pool / 3);
        int perSide = (pool - dev) / 2;
        int nd = requested < 0 ? perSide : Math.min(requested, perSide);
        return new int[] {nd, Math.min(dev, pool - 2 * nd)};
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
