package io.bge4j.examples.cli;

import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusJsonl;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingReport;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j mine}: dense hard-negative mining with {@link DenseNegativeMiner}, FlagEmbedding JSONL in and out.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar mine --model bge-small-en-v1.5 --input train.jsonl
 * --corpus corpus.jsonl --output train_minedHN.jsonl --range 10-210 --negatives 15 --relative-margin 0.05}
 */
@Command(name = "mine", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mine hard negatives: retrieve each training query's nearest corpus documents with a dense"
                + " model, skip its positives, drop likely false negatives by score margin, and write the examples"
                + " with new negatives (FlagEmbedding JSONL). Existing negatives are replaced.")
final class MineCommand implements Callable<Integer> {

    private static final Pattern RANGE = Pattern.compile("(\\d+)-(\\d+)");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>",
            description = "Preset name or model directory.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "<train.jsonl>",
            description = "Training examples, FlagEmbedding JSONL ({\"query\", \"pos\", \"neg\", ...}).")
    Path input;

    @Option(names = "--corpus", required = true, paramLabel = "<corpus.jsonl>",
            description = "Documents to take negatives from: JSONL with _id (or id), optional title, and text.")
    Path corpus;

    @Option(names = "--output", required = true, paramLabel = "<mined.jsonl>",
            description = "Where the mined examples go (written atomically).")
    Path output;

    @Option(names = "--range", defaultValue = "10-210", paramLabel = "<from-to>",
            description = "Rank window [from, to) the negatives come from, 0 = nearest document; 'to' is also the"
                    + " search depth (default: ${DEFAULT-VALUE}).")
    String range;

    @Option(names = "--negatives", paramLabel = "<N>", defaultValue = "15",
            description = "Negatives per query (default: ${DEFAULT-VALUE}).")
    int negatives;

    @Option(names = "--relative-margin", paramLabel = "<x>",
            description = "Drop a candidate scoring above (1 - x) times the weakest positive's score, e.g. 0.05"
                    + " (default: off).")
    Double relativeMargin;

    @Option(names = "--absolute-margin", paramLabel = "<x>",
            description = "Drop a candidate scoring above the weakest positive's score minus x (default: off).")
    Double absoluteMargin;

    @Option(names = "--queries-instruction", defaultValue = "auto", paramLabel = "<auto|none|text>",
            description = "Instruction prepended to queries: auto = the model's own, none = nothing, anything else"
                    + " is used as the instruction. An example's own \"prompt\" field wins (default: ${DEFAULT-VALUE}).")
    String queriesInstruction;

    @Option(names = "--sample", defaultValue = "random", paramLabel = "<top|random>",
            description = "Take the best-ranked negatives of the window (top) or a seeded random choice (random,"
                    + " as FlagEmbedding's hn_mine) (default: ${DEFAULT-VALUE}).")
    String sample;

    @Option(names = "--seed", paramLabel = "<N>", defaultValue = "42",
            description = "Seed of random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "<N>", defaultValue = "32",
            description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", paramLabel = "<N>",
            description = "Cap on tokens per text (default: the model's maximum).")
    Integer maxLength;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Override
    public Integer call() {
        Matcher rm = RANGE.matcher(range.strip());
        if (!rm.matches()) {
            throw new ParameterException(spec.commandLine(), "--range must look like from-to, e.g. 10-210, was '"
                    + range + "'");
        }
        int from;
        int to;
        try {
            from = Integer.parseInt(rm.group(1));
            to = Integer.parseInt(rm.group(2));
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--range bounds are too large: '" + range + "'");
        }
        if (from >= to) {
            throw new ParameterException(spec.commandLine(), "--range needs from < to, was '" + range + "'");
        }
        Selection selection = switch (sample.strip().toLowerCase(Locale.ROOT)) {
            case "top" -> Selection.TOP;
            case "random" -> Selection.RANDOM;
            default -> throw new ParameterException(spec.commandLine(), "--sample must be top or random, was '"
                    + sample + "'");
        };
        if (maxLength != null && maxLength < 2) {
            throw new ParameterException(spec.commandLine(), "--max-length must be at least 2, was " + maxLength);
        }
        CliSupport.requireFile(input, "input");
        CliSupport.requireFile(corpus, "corpus");
        PrintWriter out = spec.commandLine().getOut();
        TrainingSet train = TrainingSet.readJsonl(input);
        Corpus docs = CorpusJsonl.read(corpus);
        out.printf("mining negatives for %d examples from %d documents, ranks [%d, %d)%n", train.size(), docs.size(),
                from, to);
        out.flush();
        SamplingResult result;
        try (BgeModel m = maxLength == null ? BgeModel.load(model) : BgeModel.loader().maxLength(maxLength).load(model)) {
            BgeEmbedder.Builder eb = inference.apply(m.embedder().batchSize(batchSize), spec.commandLine().getErr());
            String instruction = instruction(queriesInstruction);
            if (instruction != null) {
                eb.queryInstruction(instruction);
            }
            try (BgeEmbedder embedder = eb.build()) {
                DenseNegativeMiner.Builder mb = DenseNegativeMiner.builder().embedder(embedder).rankWindow(from, to)
                        .negativesPerQuery(negatives).selection(selection).seed(seed);
                if (relativeMargin != null) {
                    mb.relativeMargin(relativeMargin);
                }
                if (absoluteMargin != null) {
                    mb.absoluteMargin(absoluteMargin);
                }
                result = mb.build().sample(train.examples(), docs);
            }
        }
        long written = result.writeJsonl(output);
        printReport(out, result.report());
        out.printf("wrote %d examples -> %s%n", written, output);
        out.flush();
        return 0;
    }

    /** @return the instruction to force, or null to keep the model's own */
    static String instruction(String option) {
        return switch (option) {
            case "auto" -> null;
            case "none", "" -> "";
            default -> option;
        };
    }

    private static void printReport(PrintWriter out, SamplingReport r) {
        row(out, "examples", r.examples());
        row(out, "negatives written", r.negativesProduced() + " (" + r.negativesPerQuery() + " requested per example)");
        row(out, "examples topped up at random", r.examplesToppedUp() + " (" + r.negativesToppedUp()
                + " random negatives added)");
        row(out, "examples still short", r.examplesShort());
        row(out, "positives skipped in rankings", r.candidatesSkippedAsPositive());
        row(out, "likely false negatives dropped", r.falseNegativesDropped());
        row(out, "positives not in the corpus", r.positivesNotInCorpus());
        if (r.examplesShort() > 0) {
            out.println("note: some examples have fewer negatives than requested; the corpus ran out of candidates"
                    + " that pass the margins");
        }
        if (r.examples() > 0 && r.positivesNotInCorpus() > 0) {
            out.println("note: some positives match no corpus document; is --corpus the collection the positives"
                    + " came from?");
        }
    }

    private static void row(PrintWriter out, String label, Object value) {
        out.printf("%-32s%s%n", label + ":", value);
    }
}
