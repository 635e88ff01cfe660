package io.bge4j.examples.cli;

import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.MetricsRunner;
import io.bge4j.eval.QueryCounts;
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
 * {@code bge4j metrics}: scores a TREC run file against qrels with trec_eval semantics, prints a metric grid and
 * optionally writes the JSON report ({@code {"mean": {"ndcg@10": ..}, "per_query": {qid: {..}}, ..}}).
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar metrics --qrels qrels/test.tsv --run run.trec --output results.json}
 */
@Command(name = "metrics", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score a TREC run file against relevance judgements (trec_eval semantics: ties by doc id,"
                + " queries without relevant documents excluded). Prints nDCG, recall, precision, MRR, MAP,"
                + " capped recall and accuracy at each cutoff.")
final class MetricsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--qrels", required = true,
            description = "Judgements: BEIR TSV (query-id corpus-id score, with header), TREC (qid 0 docid rel)"
                    + " or FlagEmbedding JSONL; detected from the content.")
    Path qrels;

    @Option(names = "--run", required = true, description = "TREC run file: qid Q0 docid rank score tag.")
    Path run;

    @Option(names = "--k", split = ",", paramLabel = "<k>", defaultValue = "1,3,5,10,100",
            description = "Comma-separated cutoffs (default: ${DEFAULT-VALUE}).")
    List<Integer> cutoffs;

    @Option(names = "--output", paramLabel = "<results.json>",
            description = "Write the JSON report here (atomically): mean and per-query values keyed name@k.")
    Path output;

    @Option(names = "--missing-as-zero",
            description = "Score judged queries that are absent from the run as 0 (trec_eval -c) instead of"
                    + " leaving them out.")
    boolean missingAsZero;

    @Override
    public Integer call() {
        for (int k : cutoffs) {
            if (k < 1) {
                throw new ParameterException(spec.commandLine(), "--k: cutoffs must be at least 1, found " + k);
            }
        }
        CliSupport.requireFile(qrels, "qrels");
        CliSupport.requireFile(run, "run");
        EvaluationResult r = MetricsRunner.builder().qrels(qrels).run(run).cutoffs(cutoffs)
                .scoreMissingQueriesAsZero(missingAsZero).build().evaluate();
        PrintWriter out = spec.commandLine().getOut();
        out.print(CliSupport.metricTable(r.mean()));
        QueryCounts c = r.counts();
        out.println(CliSupport.countsLine(c.evaluated(), c.withoutRelevant(), c.missingFromRun(), c.notInQrels()));
        if (output != null) {
            MetricsRunner.writeJson(r, output);
            out.println("wrote " + output);
        }
        out.flush();
        return 0;
    }
}
