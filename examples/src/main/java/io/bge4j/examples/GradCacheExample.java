package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.Bm25NegativeSampler;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingListener;
import io.bge4j.train.TrainingPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * A large contrastive batch on a small memory budget with GradCache
 * ({@link Finetuner.Builder#gradientCache(int)}).
 *
 * <p>In-batch negatives make the batch size matter: with B queries and G passages each, every query
 * is scored against B·G passages. Back-propagating through all of them at once needs activation
 * memory for the whole batch. GradCache embeds the batch in chunks without a graph, takes the
 * loss gradient with respect to the embeddings, then re-runs one chunk at a time with a graph and
 * pushes the cached gradient through it: the same gradient as the full batch, with the memory of
 * one chunk, for roughly one extra forward pass. The loss per step is printed as it goes.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.GradCacheExample
 * [model=bge-small-en-v1.5] [batchSize=64] [chunk=8] [steps=4]}
 */
public final class GradCacheExample {

    private GradCacheExample() {}

    /**
     * @param losses the loss of every step, in order
     * @param training the fine-tune
     */
    public record Outcome(List<Double> losses, FinetuneResult training) {}

    /**
     * Fine-tunes {@code model} in place for {@code steps} steps of {@code batchSize} queries, printing
     * the loss of each step.
     *
     * @param model the model to train
     * @param train training examples (with negatives, or the trainer borrows other examples' positives)
     * @param batchSize queries per optimizer step (e.g. 64)
     * @param chunk texts per GradCache chunk (e.g. 8); 0 trains without GradCache, for comparison
     * @param groupSize passages per query (1 positive + groupSize-1 negatives)
     * @param steps optimizer steps
     * @param seed batching and sampling seed
     * @param out where the losses are printed
     * @return the step losses and the training result
     */
    public static Outcome run(BgeModel model, TrainingSet train, int batchSize, int chunk, int groupSize, int steps,
            long seed, PrintWriter out) {
        TrainingListener perStep = new TrainingListener() {
            private long total;

            @Override
            public void onStart(TrainingPlan plan) {
                total = plan.totalSteps();
                out.printf("batch %d queries x %d passages, %s, %d steps%n", plan.batchSize(), plan.groupSize(),
                        chunk > 0 ? "GradCache chunks of " + chunk + " texts" : "no GradCache", total);
                out.flush();
            }

            @Override
            public void onStep(StepRecord s) {
                out.printf("step %d/%d loss %.4f grad-norm %.3f %.1f queries/s%n", s.step(), total, s.loss(),
                        s.gradNorm(), s.examplesPerSecond());
                out.flush();
            }
        };
        FinetuneResult training = Finetuner.builder().model(model).trainingSet(train)
                .batchSize(batchSize).groupSize(groupSize).gradientCache(chunk)
                .queryMaxLength(Math.min(32, model.maxLength())).passageMaxLength(Math.min(96, model.maxLength()))
                .maxSteps(steps).seed(seed).listener(perStep).build().fit();
        List<Double> losses = training.steps().stream().map(StepRecord::loss).toList();
        return new Outcome(losses, training);
    }

    /**
     * @param args optional: model (preset or directory), batch size, chunk, steps
     */
    public static void main(String[] args) {
        String modelName = args.length > 0 ? args[0] : "bge-small-en-v1.5";
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int groupSize = 4;
        Path data = Path.of("data/debian-packages-en");
        TrainingSet train = TrainingSet.readJsonl(data.resolve("train.jsonl")).sample(batchSize * steps, 42);
        Corpus corpus = Corpus.readJsonl(data.resolve("corpus.jsonl"));
        // cheap lexical negatives so each query has groupSize-1 of its own
        TrainingSet withNegatives = Bm25NegativeSampler.builder().rankWindow(3, 50).negativesPerQuery(groupSize - 1)
                .build().sample(train, corpus).toTrainingSet("debian-train");
        try (BgeModel model = BgeModel.load(modelName)) {
            run(model, withNegatives, batchSize, chunk, groupSize, steps, 42, new PrintWriter(System.out, true));
        }
    }
}
