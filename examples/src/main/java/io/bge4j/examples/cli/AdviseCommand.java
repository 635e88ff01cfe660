package io.bge4j.examples.cli;

import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.advise.AdviceReport;
import io.bge4j.train.advise.Advisor;
import io.bge4j.train.advise.NegativeStrategy;
import io.bge4j.train.report.OutputFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j advise}: advice from measurements on the user's own BEIR data set. Fine-tunes the model on
 * nested fractions of the training queries and with several negative strategies, measures each run against
 * the base on the dev split (paired bootstrap), and prints the learning-curve table, the negatives table and
 * advice that follows from them; writes {@code advice.md} and {@code advice.json} into {@code --output}
 * (a file of that name that bge4j did not write is left alone).
 *
 * <p>Corpus hygiene, as in the quickstart: the dev corpus (the dev queries' relevant documents plus a slice
 * of distractors) and the mining corpus (the training queries' relevant documents plus another slice) share
 * no distractor, and no document relevant to any judged query of another split is a distractor, so no
 * training negative is a dev document.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar advise --data data/debian-packages-en
 * --train-queries 320 --dev-queries 100 --output runs/advise}
 */
@Command(name = "advise", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure what to change next: learning curve over nested fractions of the training set,"
                + " negative strategies compared, loss plateau, model-size suggestion with its reasons.")
final class AdviseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "bge-small-en-v1.5", paramLabel = "<preset|dir>",
            description = "Base model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--data", required = true, paramLabel = "<dir>",
            description = "BEIR data set with corpus.jsonl, queries.jsonl and qrels/<split>.tsv.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "<dir>",
            description = "Where advice.md and advice.json go (created when missing).")
    Path output;

    @Option(names = "--train-split", defaultValue = "train", paramLabel = "<split>",
            description = "Qrels split of the training queries (default: ${DEFAULT-VALUE}).")
    String trainSplit;

    @Option(names = "--dev-split", defaultValue = "dev", paramLabel = "<split>",
            description = "Qrels split every run is measured on (default: ${DEFAULT-VALUE}).")
    String devSplit;

    @Option(names = "--train-queries", defaultValue = "0", paramLabel = "<N>",
            description = "Training queries used, drawn with the seed (0 = all; default: ${DEFAULT-VALUE}).")
    int trainQueries;

    @Option(names = "--dev-queries", defaultValue = "0", paramLabel = "<N>",
            description = "Dev queries used, drawn with the seed (0 = all; default: ${DEFAULT-VALUE}).")
    int devQueries;

    @Option(names = "--distractors", defaultValue = "250", paramLabel = "<N>",
            description = "Unjudged documents added to the dev corpus and, a disjoint slice, to the mining corpus"
                    + " (default: ${DEFAULT-VALUE}).")
    int distractors;

    @Option(names = "--fractions", split = ",", defaultValue = "0.25,0.5,1", paramLabel = "<f>",
            description = "Fractions of the training queries for the learning curve (default: ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--curve-negatives", defaultValue = "hard", paramLabel = "<strategy>",
            description = "Negatives of the curve runs: in-batch, random, hard or hard-margin (default: ${DEFAULT-VALUE}).")
    String curveNegatives;

    @Option(names = "--strategies", split = ",", defaultValue = "in-batch,random,hard,hard-margin",
            paramLabel = "<strategy>", description = "Negative strategies to compare, or none (default: ${DEFAULT-VALUE}).")
    List<String> strategies;

    @Option(names = "--strategy-fraction", defaultValue = "0.5", paramLabel = "<f>",
            description = "Fraction of the training queries the strategies are compared at (default: ${DEFAULT-VALUE}).")
    double strategyFraction;

    @Option(names = "--hard-ranks", split = ",", defaultValue = "10,210", paramLabel = "<from,to>",
            description = "Rank window of mined hard negatives, from inclusive, to exclusive (default: ${DEFAULT-VALUE}).")
    List<Integer> hardRanks;

    @Option(names = "--margin", defaultValue = "0.05", paramLabel = "<m>",
            description = "Relative false-negative margin of hard-margin (default: ${DEFAULT-VALUE}).")
    double margin;

    @Option(names = "--negatives-per-query", defaultValue = "7", paramLabel = "<N>",
            description = "Negatives sampled per query (default: ${DEFAULT-VALUE}).")
    int negativesPerQuery;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "<N>",
            description = "Queries per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--group-size", defaultValue = "4", paramLabel = "<N>",
            description = "1 positive + N-1 negatives per query (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "<N>",
            description = "Epochs of every run; steps grow with the fraction (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", paramLabel = "<x>",
            description = "Peak learning rate (default by model size: 3e-5 small, 2e-5 base, 1e-5 large).")
    Double learningRate;

    @Option(names = "--query-max-len", paramLabel = "<N>", description = "Query token budget (default: the trainer's).")
    Integer queryMaxLength;

    @Option(names = "--passage-max-len", paramLabel = "<N>",
            description = "Passage token budget for training, mining and evaluation (default: the trainer's).")
    Integer passageMaxLength;

    @Option(names = "--metric", defaultValue = "ndcg@10", paramLabel = "<name@k>",
            description = "Dev metric every gain is measured in (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "<N>",
            description = "Drives the query subsets, distractor slices, negatives, batching and bootstrap"
                    + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CliSupport.requireDirectory(data, "data set");
        if (hardRanks.size() != 2) {
            throw new ParameterException(spec.commandLine(), "--hard-ranks takes two numbers, from,to; got " + hardRanks);
        }
        if (distractors < 0) {
            throw new ParameterException(spec.commandLine(), "--distractors must not be negative, was " + distractors);
        }
        if (trainQueries < 0 || devQueries < 0) {
            throw new ParameterException(spec.commandLine(), "--train-queries and --dev-queries must not be negative");
        }
        List<NegativeStrategy> compared = new ArrayList<>();
        NegativeStrategy curve;
        Metric m;
        try {
            curve = NegativeStrategy.parse(curveNegatives);
            if (!(strategies.size() == 1 && strategies.get(0).trim().equalsIgnoreCase("none"))) {
                for (String s : strategies) {
                    compared.add(NegativeStrategy.parse(s));
                }
            }
            m = Metric.parse(metric);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Splits sp = splits(m);
        out.printf(Locale.ROOT, "bge4j advise: %s on %s%n  train: %d queries, negatives from %d docs | dev: %d queries"
                + " over %d docs (no distractor shared)%n", model, data, sp.train().size(), sp.mining().size(),
                sp.devQueries(), sp.devCorpus().size());
        out.flush();
        AdviceReport report;
        try (BgeModel base = BgeModel.load(model)) {
            Advisor.Builder b = Advisor.builder().model(base).trainingSet(sp.train()).miningCorpus(sp.mining())
                    .devEvaluator(sp.dev()).metric(m)
                    .fractions(fractions.stream().mapToDouble(Double::doubleValue).toArray())
                    .curveStrategy(curve).strategies(compared).strategyFraction(strategyFraction)
                    .hardRanks(hardRanks.get(0), hardRanks.get(1)).margin(margin).negativesPerQuery(negativesPerQuery)
                    .batchSize(batchSize).groupSize(groupSize).epochs(epochs).seed(seed)
                    .progress(line -> {
                        out.println("  " + line);
                        out.flush();
                    });
            if (learningRate != null) {
                b.learningRate(learningRate);
            }
            if (queryMaxLength != null) {
                b.queryMaxLength(queryMaxLength);
            }
            if (passageMaxLength != null) {
                b.passageMaxLength(passageMaxLength);
            }
            report = b.build().run();
        }
        out.println();
        out.print(report.text());
        for (OutputFile f : report.write(output)) {
            out.println(f.written() ? (f.status() == OutputFile.Status.REPLACED ? "replaced " : "wrote ") + f.path()
                    : "skipped " + f.path() + ": " + f.reason());
        }
        out.flush();
        return 0;
    }

    /** The training set, mining corpus and dev evaluator, with disjoint distractor slices. */
    record Splits(TrainingSet train, Corpus mining, RetrievalEvaluator dev, Corpus devCorpus, int devQueries) {}

    Splits splits(Metric m) {
        BeirDataset train = BeirDataset.load(data, trainSplit);
        BeirDataset dev = BeirDataset.load(data, devSplit);
        Corpus all = dev.corpus();
        Random rnd = new Random(seed);
        List<String> devIds = subset(new ArrayList<>(dev.queries().byId().keySet()).stream()
                .filter(q -> dev.qrels().byQuery().containsKey(q)).toList(), devQueries, rnd);
        Set<String> devSet = new HashSet<>(devIds);
        List<String> trainAll = new ArrayList<>(train.qrels().byQuery().keySet());
        List<String> shared = trainAll.stream().filter(devSet::contains).limit(5).toList();
        if (!shared.isEmpty()) {
            throw new IllegalArgumentException("the " + trainSplit + " and " + devSplit + " qrels share queries (e.g. "
                    + shared + "); a dev split must hold queries the model is not trained on");
        }
        List<String> trainIds = subset(trainAll, trainQueries, rnd);
        Set<String> judged = judgedDocuments();
        List<CorpusDocument> pool = new ArrayList<>();
        for (CorpusDocument d : all.documents()) {
            if (!judged.contains(d.id())) {
                pool.add(d);
            }
        }
        Collections.shuffle(pool, rnd);
        int each = Math.min(distractors, pool.size() / 2);
        Corpus devCorpus = Corpus.forQueries(all, dev.qrels(), devIds, pool.subList(0, each));
        Corpus mining = Corpus.forQueries(all, train.qrels(), trainIds, pool.subList(each, 2 * each));
        List<TrainingExample> examples = new ArrayList<>();
        for (String q : trainIds) {
            List<String> pos = new ArrayList<>();
            train.qrels().judgements(q).forEach((d, rel) -> {
                if (rel > 0) {
                    all.byId(d).ifPresent(doc -> pos.add(doc.fullText()));
                }
            });
            String text = train.queries().byId().get(q);
            if (!pos.isEmpty() && text != null) {
                examples.add(TrainingExample.of(text, pos, List.of()));
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no " + trainSplit + " query in " + data + " has a relevant document"
                    + " in corpus.jsonl; check qrels/" + trainSplit + ".tsv");
        }
        Map<String, String> dq = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> dj = new LinkedHashMap<>();
        for (String q : devIds) {
            dq.put(q, dev.queries().text(q));
            dj.put(q, dev.qrels().judgements(q));
        }
        RetrievalEvaluator devEval = RetrievalEvaluator.builder().name(devSplit).queries(Queries.of(dq))
                .corpus(devCorpus).qrels(Qrels.of(dj)).primary(m).build();
        return new Splits(TrainingSet.of(data.getFileName() + "-" + trainSplit, examples), mining, devEval, devCorpus,
                devIds.size());
    }

    /** @return every document judged relevant to a query of any split in {@code qrels/} */
    private Set<String> judgedDocuments() {
        Set<String> judged = new HashSet<>();
        Path dir = data.resolve("qrels");
        if (!Files.isDirectory(dir)) {
            return judged;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".tsv")).sorted().toList()) {
                Qrels.read(f).byQuery().values().forEach(j -> j.forEach((d, rel) -> {
                    if (rel > 0) {
                        judged.add(d);
                    }
                }));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return judged;
    }

    private static List<String> subset(List<String> ids, int n, Random rnd) {
        List<String> copy = new ArrayList<>(ids);
        Collections.shuffle(copy, rnd);
        return n <= 0 || n >= copy.size() ? copy : new ArrayList<>(copy.subList(0, n));
    }

}
