package io.bge4j.examples.cli;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.merge.MergeResult;
import io.bge4j.train.merge.MergeWeights;
import io.bge4j.train.merge.ModelMerger;
import io.bge4j.train.merge.RatioSearchResult;
import io.bge4j.train.merge.MergeRatioSearch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j merge}: LM-Cocktail-style linear merge of models of one architecture and vocabulary. The weights
 * are given ({@code --weight} per {@code --model}), computed from a few examples ({@code --examples}:
 * {@code softmax(−loss/T)} of each model's InfoNCE loss), or searched ({@code --search}: base and tuned merged at a
 * grid of ratios, each evaluated on {@code --data}'s split, optionally bounded by a general-domain set).
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar merge --model bge-small-en-v1.5 --weight 0.5
 * --model runs/quickstart/model --weight 0.5 --output runs/merged}
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Merge models of one architecture and vocabulary: theta = sum of w_i * theta_i (LM-Cocktail)."
                + " Give --weight once per --model, or --examples for weights from a few examples, or --search"
                + " (two models: base first, then tuned) to measure the best ratio on a dev split.")
final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>",
            description = "Preset name or model directory; repeat (at least two).")
    List<String> models;

    @Option(names = "--weight", paramLabel = "<w>",
            description = "Weight of the --model at the same position; the weights must sum to 1.")
    List<Double> weights;

    @Option(names = "--output", required = true, paramLabel = "<dir>",
            description = "New directory for the merged model (must not exist or be empty).")
    Path output;

    @Option(names = "--examples", paramLabel = "<train.jsonl>",
            description = "FlagEmbedding JSONL examples of the target task: weights = softmax(-loss/T) of each"
                    + " model's InfoNCE loss on them (LM-Cocktail's mix_models_with_data).")
    Path examples;

    @Option(names = "--examples-limit", paramLabel = "<N>", defaultValue = "8",
            description = "Examples used from --examples (default: ${DEFAULT-VALUE}).")
    int examplesLimit;

    @Option(names = "--temperature", paramLabel = "<T>", defaultValue = "5.0",
            description = "Softmax temperature T for --examples (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--search", description = "Search the base/tuned ratio on --data (two models: base, tuned).")
    boolean search;

    @Option(names = "--data", paramLabel = "<dir>", description = "Target BEIR data set for --search.")
    Path data;

    @Option(names = "--split", paramLabel = "<split>", defaultValue = "dev",
            description = "Target split for --search (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--general", paramLabel = "<dir>",
            description = "General-domain BEIR data set whose drop from the base is bounded during --search.")
    Path general;

    @Option(names = "--general-split", paramLabel = "<split>", defaultValue = "test",
            description = "Split of --general (default: ${DEFAULT-VALUE}).")
    String generalSplit;

    @Option(names = "--max-general-drop", paramLabel = "<d>", defaultValue = "0.01",
            description = "Largest accepted nDCG@10 drop on --general below the base (default: ${DEFAULT-VALUE}).")
    double maxGeneralDrop;

    @Option(names = "--ratios", paramLabel = "<r>", split = ",", defaultValue = "0,0.25,0.5,0.75,1",
            description = "Tuned weights tried by --search (default: ${DEFAULT-VALUE}).")
    List<Double> ratios;

    @Option(names = "--batch-size", paramLabel = "<N>", defaultValue = "32",
            description = "Texts per forward pass for --examples and --search (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", paramLabel = "<N>",
            description = "Cap on tokens per text for --examples and --search (default: the model's maximum).")
    Integer maxLength;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int modes = (weights != null ? 1 : 0) + (examples != null ? 1 : 0) + (search ? 1 : 0);
        if (modes != 1) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --weight (per --model), --examples"
                    + " or --search");
        }
        if (models.size() < 2) {
            throw new ParameterException(spec.commandLine(), "give --model at least twice");
        }
        if (maxLength != null && maxLength < 2) {
            throw new ParameterException(spec.commandLine(), "--max-length must be at least 2, was " + maxLength);
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, was " + batchSize);
        }
        ModelMerger.Builder merger = ModelMerger.builder();
        if (weights != null) {
            if (weights.size() != models.size()) {
                throw new ParameterException(spec.commandLine(), "--weight must be given once per --model ("
                        + models.size() + " models, " + weights.size() + " weights)");
            }
            for (int i = 0; i < models.size(); i++) {
                merger.add(models.get(i), weights.get(i));
            }
        } else if (examples != null) {
            CliSupport.requireFile(examples, "examples");
            if (examplesLimit < 1) {
                throw new ParameterException(spec.commandLine(), "--examples-limit must be at least 1");
            }
            List<TrainingExample> ex = TrainingSet.readJsonl(examples).examples();
            ex = ex.subList(0, Math.min(examplesLimit, ex.size()));
            MergeWeights w = autoWeights(ex);
            for (int i = 0; i < models.size(); i++) {
                out.printf(Locale.ROOT, "%s: loss %.4f -> weight %.4f%n", models.get(i), w.losses().get(i),
                        w.weights().get(i));
                merger.add(models.get(i), w.weights().get(i));
            }
            merger.weightsFrom(w.description());
        } else {
            double r = searchRatio(out);
            merger.add(models.get(0), 1 - r).add(models.get(1), r);
            merger.weightsFrom(String.format(Locale.ROOT, "searched ratio: best %s nDCG@10 over tuned weights %s%s",
                    split, ratios, general == null ? "" : " with a " + general.getFileName() + " drop <= "
                            + maxGeneralDrop));
        }
        MergeResult result = merger.build().mergeTo(output);
        out.printf("merged %d models into %s (%d tensors merged, %d copied); recipe in README.md and"
                + " merge_recipe.json%n", models.size(), result.directory(), result.mergedTensors(),
                result.copiedTensors());
        out.flush();
        return 0;
    }

    private MergeWeights autoWeights(List<TrainingExample> ex) {
        List<BgeModel> loaded = new ArrayList<>();
        List<Embedder> embedders = new ArrayList<>();
        try {
            for (String m : models) {
                BgeModel model = load(m);
                loaded.add(model);
                embedders.add(model.embedder().batchSize(batchSize).build());
            }
            return MergeWeights.fromExamples(embedders, ex, temperature);
        } finally {
            embedders.forEach(Embedder::close);
            loaded.forEach(BgeModel::close);
        }
    }

    private double searchRatio(PrintWriter out) {
        if (models.size() != 2) {
            throw new ParameterException(spec.commandLine(), "--search takes exactly two models: base, then tuned");
        }
        if (data == null) {
            throw new ParameterException(spec.commandLine(), "--search needs --data (the target data set)");
        }
        CliSupport.requireDirectory(data, "data set");
        BeirDataset target = BeirDataset.load(data, split);
        RetrievalEvaluator targetEval = RetrievalEvaluator.builder().name(split).queries(target.queries())
                .corpus(target.corpus()).qrels(target.qrels()).primary(Metric.NDCG_AT_10).build();
        RetrievalEvaluator generalEval = null;
        if (general != null) {
            CliSupport.requireDirectory(general, "general data set");
            BeirDataset g = BeirDataset.load(general, generalSplit);
            generalEval = RetrievalEvaluator.builder().name("general").queries(g.queries()).corpus(g.corpus())
                    .qrels(g.qrels()).primary(Metric.NDCG_AT_10).build();
        }
        try (BgeModel base = load(models.get(0)); BgeModel tuned = load(models.get(1))) {
            RatioSearchResult r = MergeRatioSearch.builder().base(base).tuned(tuned)
                    .ratios(ratios.stream().mapToDouble(Double::doubleValue).toArray()).target(targetEval)
                    .general(generalEval).maxGeneralDrop(maxGeneralDrop)
                    .embedders(m -> m.embedder().batchSize(batchSize).build()).build().run();
            out.print(r.table());
            out.printf(Locale.ROOT, "chosen tuned weight %.2f (keeps %.0f%% of the target gain)%n",
                    r.chosen().tunedWeight(), 100 * r.targetGainKept());
            return r.chosen().tunedWeight();
        }
    }

    private BgeModel load(String nameOrPath) {
        return maxLength == null ? BgeModel.load(nameOrPath) : BgeModel.loader().maxLength(maxLength).load(nameOrPath);
    }
}
