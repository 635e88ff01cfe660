package io.bge4j.examples.cli;

import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j finetune}: contrastive fine-tuning with {@link Finetuner}. Every option maps to one builder option; an
 * option left out keeps the builder's default. A {@link ConsoleProgress} bar reports the run.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar finetune --model bge-small-en-v1.5 --train mined.jsonl
 * --dev data/debian-packages-en --dev-split dev --output runs/demo --epochs 2 --early-stopping 3}
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune an embedding model on FlagEmbedding JSONL ({\"query\", \"pos\", \"neg\"}) with"
                + " InfoNCE over in-batch and group negatives. With --dev it evaluates on a BEIR-layout split,"
                + " keeps the best model and can stop early. Options left out keep the library defaults.")
final class FinetuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>",
            description = "Base model: preset name or directory.")
    String model;

    @Option(names = "--train", required = true, paramLabel = "<train.jsonl>",
            description = "Training examples (FlagEmbedding JSONL).")
    Path train;

    @Option(names = "--output", required = true, paramLabel = "<dir>",
            description = "Output directory: final/, best/ (with --dev), metrics.jsonl.")
    Path output;

    @Option(names = "--dev", paramLabel = "<dir>",
            description = "Data set directory to evaluate on during training (BEIR or FlagEmbedding eval layout).")
    Path dev;

    @Option(names = "--dev-split", paramLabel = "<split>", defaultValue = "dev",
            description = "Split of --dev (default: ${DEFAULT-VALUE}).")
    String devSplit;

    @Option(names = "--metric", defaultValue = "ndcg@10", paramLabel = "<name@k>",
            description = "Dev metric that picks the best model (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--epochs", paramLabel = "<N>", description = "Passes over the training set (default 1).")
    Integer epochs;

    @Option(names = "--max-steps", paramLabel = "<N>",
            description = "Optimizer steps to take; overrides --epochs (default: from epochs).")
    Long maxSteps;

    @Option(names = "--batch-size", paramLabel = "<N>", description = "Queries per batch (default 32).")
    Integer batchSize;

    @Option(names = "--group-size", paramLabel = "<N>",
            description = "Passages per query: 1 positive + N-1 negatives (default 8).")
    Integer groupSize;

    @Option(names = "--lr", paramLabel = "<x>",
            description = "Peak learning rate (default by model size: 3e-5 small, 2e-5 base, 1e-5 large).")
    Double learningRate;

    @Option(names = "--temperature", paramLabel = "<t>", description = "InfoNCE temperature (default 0.02).")
    Double temperature;

    @Option(names = "--query-max-len", paramLabel = "<N>",
            description = "Query tokens (default 64, or the model's maximum if smaller).")
    Integer queryMaxLength;

    @Option(names = "--passage-max-len", paramLabel = "<N>",
            description = "Passage tokens (default 256, or the model's maximum if smaller).")
    Integer passageMaxLength;

    @Option(names = "--gradient-cache", paramLabel = "<N>",
            description = "GradCache chunk size in texts: large batches in bounded memory (default 0 = off).")
    Integer gradientCache;

    @Option(names = "--warmup-ratio", paramLabel = "<x>",
            description = "Fraction of steps spent warming up (default 0.1).")
    Double warmupRatio;

    @Option(names = "--eval-every", paramLabel = "<N>",
            description = "Evaluate on --dev every N steps (default 0 = at the end of each epoch only).")
    Long evalEvery;

    @Option(names = "--early-stopping", paramLabel = "<N>",
            description = "Stop after N evaluations without improvement of --metric (needs --dev; default off).")
    Integer earlyStopping;

    @Option(names = "--early-stopping-min-delta", paramLabel = "<x>", defaultValue = "0",
            description = "Smallest gain that counts as an improvement (default: ${DEFAULT-VALUE}).")
    double minDelta;

    @Option(names = "--seed", paramLabel = "<N>",
            description = "Seed of every random choice: order, sampling, dropout (default 42).")
    Long seed;

    @Option(names = "--no-progress", description = "Do not print the progress bar (the summary is still printed).")
    boolean noProgress;

    @Override
    public Integer call() {
        Metric primary;
        try {
            primary = Metric.parse(metric);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--metric: " + e.getMessage());
        }
        if (dev == null && (earlyStopping != null || evalEvery != null)) {
            throw new ParameterException(spec.commandLine(), (earlyStopping != null ? "--early-stopping" : "--eval-every")
                    + " needs --dev (a data set to evaluate on)");
        }
        CliSupport.requireFile(train, "training");
        if (dev != null) {
            CliSupport.requireDirectory(dev, "dev data set");
        }
        if (Files.isRegularFile(output)) {
            throw new IllegalArgumentException("output must be a directory, but is a file: " + output);
        }
        PrintWriter out = spec.commandLine().getOut();
        TrainingSet set = TrainingSet.readJsonl(train);
        try (BgeModel base = BgeModel.load(model)) {
            Finetuner.Builder b = Finetuner.builder().model(base).trainingSet(set).outputDir(output);
            if (dev != null) {
                BeirDataset ds = BeirDataset.load(dev, devSplit);
                List<Metric> metrics = new ArrayList<>(Metric.defaults());
                metrics.add(primary);
                RetrievalEvaluator evaluator = RetrievalEvaluator.builder().name("dev").queries(ds.queries())
                        .corpus(ds.corpus()).qrels(ds.qrels()).metrics(metrics).build();
                b.evaluator(evaluator, primary);
                out.printf("dev: %s split '%s', %d queries, %d documents%n", dev, devSplit, evaluator.queryIds().size(),
                        ds.corpus().size());
            }
            apply(b);
            if (!noProgress) {
                b.listener(ConsoleProgress.builder(out).interactive(System.console() != null).build());
            }
            out.flush();
            FinetuneResult r = b.build().fit();
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
            printSummary(out, r);
        }
        out.flush();
        return 0;
    }

    /** Passes every option that was given to the builder, one to one. */
    void apply(Finetuner.Builder b) {
        if (epochs != null) {
            b.epochs(epochs);
        }
        if (maxSteps != null) {
            b.maxSteps(maxSteps);
        }
        if (batchSize != null) {
            b.batchSize(batchSize);
        }
        if (groupSize != null) {
            b.groupSize(groupSize);
        }
        if (learningRate != null) {
            b.learningRate(learningRate);
        }
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (queryMaxLength != null) {
            b.queryMaxLength(queryMaxLength);
        }
        if (passageMaxLength != null) {
            b.passageMaxLength(passageMaxLength);
        }
        if (gradientCache != null) {
            b.gradientCache(gradientCache);
        }
        if (warmupRatio != null) {
            b.warmupRatio(warmupRatio);
        }
        if (evalEvery != null) {
            b.evaluateEvery(evalEvery);
        }
        if (earlyStopping != null) {
            b.earlyStopping(earlyStopping, minDelta);
        }
        if (seed != null) {
            b.seed(seed);
        }
    }

    private void printSummary(PrintWriter out, FinetuneResult r) {
        out.printf("stop reason: %s after %d steps%n", r.stopReason(), r.stepsTaken());
        r.bestEvaluation().ifPresent(best -> out.printf("best dev %s = %s at step %d%n", best.primaryMetric(),
                CliSupport.fmt(best.primaryValue()), best.step()));
        Path best = output.resolve("best");
        Path fin = output.resolve("final");
        if (Files.isDirectory(best)) {
            out.println("best model:  " + best);
        }
        if (Files.isDirectory(fin)) {
            out.println("final model: " + fin);
        }
        out.println("metrics log: " + output.resolve("metrics.jsonl"));
    }
}
