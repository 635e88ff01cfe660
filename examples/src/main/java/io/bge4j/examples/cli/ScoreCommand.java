package io.bge4j.examples.cli;

import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.sampling.CrossEncoderNegativeFilter;
import io.bge4j.data.sampling.TeacherScorer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j score}: adds a cross-encoder's scores to a FlagEmbedding JSONL file as {@code pos_scores} /
 * {@code neg_scores} (teacher scores for distillation), streaming; with {@code --drop-margin} it also drops
 * negatives scored at or within the margin of the lowest positive (likely false negatives).
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar score --reranker runs/reranker --input mined.jsonl
 * --output scored.jsonl}
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Add teacher scores from a cross-encoder (pos_scores, neg_scores) to a FlagEmbedding JSONL"
                + " file, as FlagEmbedding's add_reranker_score.py; optionally drop likely false negatives.")
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--reranker", required = true, paramLabel = "<dir>",
            description = "Cross-encoder directory (HF sequence-classification layout, e.g. from rerank-finetune).")
    Path reranker;

    @Option(names = "--input", required = true, paramLabel = "<in.jsonl>", description = "Examples to score.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "<out.jsonl>",
            description = "Where the scored examples go (a new file; never the input).")
    Path output;

    @Option(names = "--max-length", paramLabel = "<N>", defaultValue = "512",
            description = "Pair budget in tokens; queries get 3/4 of it, as FlagReranker (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--batch-size", paramLabel = "<N>", defaultValue = "32",
            description = "Pairs per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--drop-margin", paramLabel = "<m>",
            description = "Also drop negatives scored >= lowest positive - m (likely false negatives); reads the"
                    + " whole file into memory.")
    Double dropMargin;

    @Override
    public Integer call() {
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, was " + batchSize);
        }
        if (maxLength < 4) {
            throw new ParameterException(spec.commandLine(), "--max-length must be at least 4, was " + maxLength);
        }
        if (dropMargin != null && !(dropMargin >= 0)) {
            throw new ParameterException(spec.commandLine(), "--drop-margin must be >= 0, was " + dropMargin);
        }
        CliSupport.requireFile(input, "input");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (CrossEncoder ce = CrossEncoders.load(reranker, PairLimits.inference(maxLength), batchSize)) {
            if (dropMargin == null) {
                long[] last = {System.nanoTime()};
                TeacherScorer.Counts c = new TeacherScorer(ce).scoreFile(input, output, n -> {
                    if (System.nanoTime() - last[0] > 2_000_000_000L) {
                        last[0] = System.nanoTime();
                        err.printf("\rscored %d examples", n);
                        err.flush();
                    }
                });
                err.println();
                out.printf("scored %d examples (%d pairs) in %.1f s; wrote %s%n", c.examples(), c.pairsScored(),
                        c.seconds(), output);
            } else {
                if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("output " + output + " is the input file; write to a new file");
                }
                CrossEncoderNegativeFilter.Outcome o = CrossEncoderNegativeFilter.builder().reranker(ce)
                        .margin(dropMargin).build().apply(TrainingSet.readJsonl(input).examples());
                FlagJsonlWriter.writeAll(output, o.result().examples());
                out.println(o.summary());
                out.println("wrote " + o.result().examples().size() + " scored examples to " + output);
            }
        }
        out.flush();
        return 0;
    }
}
