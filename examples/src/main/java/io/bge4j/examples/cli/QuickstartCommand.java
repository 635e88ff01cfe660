package io.bge4j.examples.cli;

import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.examples.Quickstart;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bge4j quickstart}: the README's main job (evaluate, mine, fine-tune, evaluate, compare). */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Evaluate bge-small-en-v1.5 on held-out Debian package queries, mine hard negatives, fine-tune"
                + " with dev evaluation and early stopping, evaluate again and print a before/after table."
                + " Defaults finish in about 15 minutes on 2 CPU cores.")
final class QuickstartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "data/debian-packages-en",
            description = "BEIR folder with train/dev/test qrels (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--model", defaultValue = "bge-small-en-v1.5", description = "Preset or model directory (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--output", defaultValue = "runs/quickstart", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--full", description = "Whole splits and corpus, passages of 256 tokens, B=32, G=8, 2 epochs.")
    boolean full;

    @Option(names = "--train-queries", description = "Training queries to use (0 = all).")
    Integer trainQueries;

    @Option(names = "--epochs", description = "Passes over the training queries.")
    Integer epochs;

    @Option(names = "--seed", description = "Seed for subsets, mining, batching and dropout.")
    Long seed;

    @Option(names = "--require-significant-gain",
            description = "Exit with status 3 unless nDCG@10 improved with a 95%% interval above zero.")
    boolean requireGain;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("data folder not found: " + data
                    + " (run from the repository root, or pass --data <BEIR folder>)");
        }
        Quickstart.Options d = Quickstart.Options.defaults();
        Quickstart.Options o = new Quickstart.Options(data, model, output, d.trainQueries(), d.devQueries(),
                d.testQueries(), d.distractors(), d.epochs(), d.batchSize(), d.groupSize(), d.queryMaxLength(),
                d.passageMaxLength(), d.learningRate(), d.evaluateEvery(), d.seed());
        if (full) {
            o = o.full();
        }
        o = new Quickstart.Options(o.data(), o.model(), o.output(), trainQueries != null ? trainQueries : o.trainQueries(),
                o.devQueries(), o.testQueries(), o.distractors(), epochs != null ? epochs : o.epochs(), o.batchSize(),
                o.groupSize(), o.queryMaxLength(), o.passageMaxLength(), o.learningRate(), o.evaluateEvery(),
                seed != null ? seed : o.seed());
        PrintWriter out = spec.commandLine().getOut();
        Quickstart.Outcome r = Quickstart.run(o, out);
        MetricComparison ndcg = r.comparison().metric(Metric.NDCG_AT_10);
        if (requireGain && !(ndcg.ciLow() > 0)) {
            spec.commandLine().getErr().printf("no significant nDCG@10 gain: delta %+.4f, 95%% CI [%+.4f, %+.4f]%n",
                    ndcg.delta(), ndcg.ciLow(), ndcg.ciHigh());
            return 3;
        }
        return 0;
    }
}
