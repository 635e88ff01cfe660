package io.bge4j.examples.cli;

import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.StepRecord;
import io.bge4j.train.rerank.RerankerFinetuneResult;
import io.bge4j.train.rerank.RerankerFinetuner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j rerank-finetune}: fine-tunes a cross-encoder (reranker) on FlagEmbedding JSONL with mined
 * negatives, with FlagEmbedding's group loss (plus distillation when the file has teacher scores), and saves it
 * in the HF sequence-classification layout. The start can be a cross-encoder directory or any embedder (preset or
 * directory), which gets a new seeded head.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar rerank-finetune --model bge-small-en-v1.5 --train mined.jsonl
 * --output runs/reranker}
 */
@Command(name = "rerank-finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune a cross-encoder (reranker) on FlagEmbedding JSONL with negatives (mine them first)."
                + " --model is a cross-encoder directory, or an embedder that gets a new head.")
final class RerankFinetuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>",
            description = "Cross-encoder directory, or embedder preset/directory to start from (new seeded head).")
    String model;

    @Option(names = "--train", required = true, paramLabel = "<train.jsonl>",
            description = "Training examples with negatives (and optional pos_scores/neg_scores).")
    Path train;

    @Option(names = "--output", required = true, paramLabel = "<dir>", description = "Where the cross-encoder is saved.")
    Path output;

    @Option(names = "--epochs", paramLabel = "<N>", defaultValue = "1", description = "Passes (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--max-steps", paramLabel = "<N>", defaultValue = "0",
            description = "Stop after N steps (default: no cap).")
    long maxSteps;

    @Option(names = "--batch-size", paramLabel = "<N>", defaultValue = "16",
            description = "Queries per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--group-size", paramLabel = "<N>", defaultValue = "8",
            description = "1 positive + N-1 negatives per query (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(names = "--lr", paramLabel = "<x>", defaultValue = "2e-5",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--warmup-ratio", paramLabel = "<x>", defaultValue = "0.1",
            description = "Share of steps warming up (default: ${DEFAULT-VALUE}).")
    double warmupRatio;

    @Option(names = "--query-max-len", paramLabel = "<N>", defaultValue = "32",
            description = "FlagEmbedding's query_max_len (default: ${DEFAULT-VALUE}).")
    int queryMaxLen;

    @Option(names = "--passage-max-len", paramLabel = "<N>", defaultValue = "128",
            description = "FlagEmbedding's passage_max_len (default: ${DEFAULT-VALUE}).")
    int passageMaxLen;

    @Option(names = "--distillation", paramLabel = "<auto|on|off>", defaultValue = "auto",
            description = "Use pos_scores/neg_scores: auto (when every example has them), on, off (default: ${DEFAULT-VALUE}).")
    String distillation;

    @Option(names = "--query-instruction", paramLabel = "<text>", defaultValue = "",
            description = "Prepended to queries without their own prompt (default: none).")
    String queryInstruction;

    @Option(names = "--seed", paramLabel = "<N>", defaultValue = "42",
            description = "Seed of the head, order, draws and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-progress", description = "Do not print the progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        RerankerFinetuner.Distillation mode;
        try {
            mode = RerankerFinetuner.Distillation.valueOf(distillation.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--distillation must be auto, on or off, was '"
                    + distillation + "'");
        }
        CliSupport.requireFile(train, "training");
        PrintWriter out = spec.commandLine().getOut();
        TrainingSet set = TrainingSet.readJsonl(train);
        PairLimits limits = PairLimits.training(queryMaxLen, passageMaxLen);
        try (CrossEncoder ce = CrossEncoders.loadOrCreate(model, limits, seed)) {
            out.printf("cross-encoder %s (%s), %d examples from %s%n", model, ce.head(), set.size(), train);
            out.flush();
            RerankerFinetuner.Builder b = RerankerFinetuner.builder().model(ce).trainingSet(set).epochs(epochs)
                    .maxSteps(maxSteps).batchSize(batchSize).groupSize(groupSize).learningRate(learningRate)
                    .warmupRatio(warmupRatio).queryMaxLength(queryMaxLen).passageMaxLength(passageMaxLen)
                    .distillation(mode).queryInstruction(queryInstruction).seed(seed);
            if (!noProgress) {
                b.listener(new ConsoleProgress(spec.commandLine().getErr()));
            }
            RerankerFinetuneResult r;
            try {
                r = b.build().fit();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            ce.save(output);
            List<StepRecord> s = r.steps();
            out.printf("%d steps in %.1f s (%d examples, %d skipped without negatives%s); loss %.4f -> %.4f%n",
                    s.size(), r.seconds(), r.usedExamples(), r.skippedExamples(), r.distilled() ? ", distilled" : "",
                    s.get(0).loss(), s.get(s.size() - 1).loss());
            out.println("saved cross-encoder to " + output);
        }
        out.flush();
        return 0;
    }
}
