package io.bge4j.examples.cli;

import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.RerankingEvaluator;
import io.bge4j.eval.RerankingResult;
import io.bge4j.eval.report.JsonReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code evaluate --rerank} options (a picocli mixin) and what they do: rerank each model's dense ranking
 * with a cross-encoder and print first stage vs reranked with the paired comparison.
 *
 * <p>Usage: {@code bge4j evaluate --model bge-small-en-v1.5 --data data/debian-packages-en --rerank runs/reranker
 * --rerank-top-k 20}
 */
final class RerankOptions {

    @Option(names = "--rerank", paramLabel = "<dir>",
            description = "Rerank each model's ranking with this cross-encoder and compare before/after.")
    Path reranker;

    @Option(names = "--rerank-top-k", paramLabel = "<N>", defaultValue = "100",
            description = "Documents reranked per query (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--rerank-max-length", paramLabel = "<N>", defaultValue = "512",
            description = "Pair budget in tokens, queries 3/4 of it (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--rerank-output", paramLabel = "<comparison.json>",
            description = "Write the first stage vs reranked comparison as JSON (one model).")
    Path output;

    private CrossEncoder loaded;

    boolean enabled() {
        return reranker != null;
    }

    /** Reranks one model's result (its run must be kept) and prints the comparison. */
    void rerank(EvaluateCommandContext ctx, EvaluationResult first, PrintWriter out) {
        if (topK < 1) {
            throw new IllegalArgumentException("--rerank-top-k must be at least 1, was " + topK);
        }
        if (loaded == null) {
            loaded = CrossEncoders.load(reranker, PairLimits.inference(maxLength), ctx.batchSize());
        }
        out.printf("reranking the top %d of %s with %s ...%n", topK, first.name(), reranker);
        out.flush();
        RerankingResult r = RerankingEvaluator.builder().name(first.name()).queries(ctx.dataset().queries())
                .corpus(ctx.dataset().corpus()).qrels(ctx.dataset().qrels()).topK(topK)
                .metrics(first.metrics()).primary(first.primary()).seed(ctx.seed()).build()
                .evaluate(first.run(), loaded, first.withName(first.name() + " (first stage)"));
        out.print(EvaluateCommand.comparisonTable(r.comparison()));
        out.printf("%d pairs reranked in %.1f s%n", r.pairsScored(), r.rerankSeconds());
        if (output != null) {
            JsonReport.write(r.comparison(), output);
            out.println("wrote rerank comparison " + output);
        }
    }

    void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }

    /** What the reranking stage needs from the evaluate command. */
    record EvaluateCommandContext(io.bge4j.data.beir.BeirDataset dataset, int batchSize, long seed) {}
}
