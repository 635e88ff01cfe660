package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.CorpusTextIndex;
import io.bge4j.data.sampling.NegativeSampler;
import io.bge4j.data.sampling.PositiveExclusion;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Your own negative-sampling rule, plugged into a fine-tune through the {@link NegativeSampler} SPI.
 *
 * <p>The rule here, {@link SharedOpeningSampler}, comes from how Debian writes package descriptions:
 * the binary packages built from one source share the source's opening sentences ("Fcitx5 is the
 * next generation of fcitx input method framework ...") and differ only in what the particular
 * package ships. Those siblings are exactly the negatives a retrieval model must learn to tell
 * apart, so the sampler picks the corpus documents whose text begins with the longest run of the
 * same words as one of the example's positives. It never returns a positive, and an example whose
 * positives have no sibling gets fewer negatives (the report counts them; the trainer then fills
 * the group with other examples' positives).
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.CustomSamplerExample
 * [model=bge-small-en-v1.5] [trainQueries=256] [steps=8]}
 */
public final class CustomSamplerExample {

    private CustomSamplerExample() {}

    /**
     * A {@link NegativeSampler} whose negatives are the corpus documents that open with the same
     * words as one of the example's positives: at least {@code minSharedWords} leading words (after
     * {@link TextNormalizer} normalisation, split on spaces), longest shared opening first, ties by
     * corpus order. Deterministic, so it needs no seed.
     *
     * <p>Usage: {@code Finetuner.builder().negativeSampler(new SharedOpeningSampler(3, 4), corpus)}
     */
    public static final class SharedOpeningSampler implements NegativeSampler {
        private final int negativesPerQuery;
        private final int minSharedWords;

        /**
         * @param negativesPerQuery negatives wanted per example, at least 1
         * @param minSharedWords leading words a negative must share with a positive, at least 1
         */
        public SharedOpeningSampler(int negativesPerQuery, int minSharedWords) {
            if (negativesPerQuery < 1) {
                throw new IllegalArgumentException("negativesPerQuery must be at least 1, was " + negativesPerQuery);
            }
            if (minSharedWords < 1) {
                throw new IllegalArgumentException("minSharedWords must be at least 1, was " + minSharedWords);
            }
            this.negativesPerQuery = negativesPerQuery;
            this.minSharedWords = minSharedWords;
        }

        /** @return negatives wanted per example */
        public int negativesPerQuery() {
            return negativesPerQuery;
        }

        /** @return leading words a negative must share with a positive */
        public int minSharedWords() {
            return minSharedWords;
        }

        /**
         * @param a a text
         * @param b another text
         * @return how many leading words (normalised, split on spaces) the two texts have in common
         */
        public static int sharedLeadingWords(String a, String b) {
            return shared(words(a), words(b));
        }

        @Override
        public SamplingResult sample(List<TrainingExample> examples, Corpus corpus) {
            CorpusTextIndex index = CorpusTextIndex.of(corpus);
            String[][] docWords = new String[corpus.size()][];
            // documents can share an opening only if they share the first word: bucket by it
            Map<String, List<Integer>> byFirstWord = new HashMap<>();
            for (int p = 0; p < corpus.size(); p++) {
                docWords[p] = index.normalizedText(p).split(" ");
                byFirstWord.computeIfAbsent(docWords[p][0], k -> new ArrayList<>()).add(p);
            }
            List<TrainingExample> out = new ArrayList<>(examples.size());
            for (TrainingExample e : examples) {
                PositiveExclusion positives = index.exclusionFor(e);
                Map<Integer, Integer> best = new HashMap<>(); // corpus position -> longest shared opening
                for (String positive : e.positives()) {
                    String[] pw = words(positive);
                    for (int p : byFirstWord.getOrDefault(pw[0], List.of())) {
                        if (positives.excludes(p, index.normalizedText(p))) {
                            continue;
                        }
                        int s = shared(pw, docWords[p]);
                        if (s >= minSharedWords) {
                            best.merge(p, s, Math::max);
                        }
                    }
                }
                List<Integer> candidates = new ArrayList<>(best.keySet());
                candidates.sort((x, y) -> best.get(x).equals(best.get(y)) ? Integer.compare(x, y)
                        : Integer.compare(best.get(y), best.get(x)));
                List<String> negatives = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (int p : candidates) {
                    if (negatives.size() == negativesPerQuery) {
                        break;
                    }
                    if (seen.add(index.normalizedText(p))) {
                        negatives.add(corpus.get(p).fullText());
                    }
                }
                out.add(e.withNegatives(negatives));
            }
            return SamplingResult.of("shared-opening(" + minSharedWords + "+ words)", out, negativesPerQuery);
        }

        private static String[] words(String text) {
            return TextNormalizer.normalize(text).split(" ");
        }

        private static int shared(String[] a, String[] b) {
            int n = Math.min(a.length, b.length);
            int i = 0;
            while (i < n && !a[i].isEmpty() && a[i].equals(b[i])) {
                i++;
            }
            return i;
        }
    }

    /**
     * What the run produced.
     *
     * @param sampled the sampler's output on the training set (the same the fine-tune trained on:
     *     the sampler is deterministic)
     * @param training the fine-tune
     */
    public record Outcome(SamplingResult sampled, FinetuneResult training) {}

    /**
     * Samples negatives with {@code sampler}, prints a few, then fine-tunes {@code model} (in place)
     * with the same sampler plugged into {@link Finetuner.Builder#negativeSampler}.
     *
     * @param model the model to train
     * @param train training examples (their negatives are replaced)
     * @param corpus where negatives come from
     * @param sampler the custom sampler
     * @param batchSize queries per step
     * @param steps optimizer steps
     * @param seed batching and sampling seed
     * @param out where the run reports
     * @return the sampled examples and the training result
     */
    public static Outcome run(BgeModel model, TrainingSet train, Corpus corpus, SharedOpeningSampler sampler,
            int batchSize, int steps, long seed, PrintWriter out) {
        SamplingResult sampled = sampler.sample(train, corpus);
        out.println(sampled.report().summary());
        int shown = 0;
        for (TrainingExample e : sampled.examples()) {
            if (e.negatives().isEmpty() || shown == 3) {
                continue;
            }
            shown++;
            out.printf("query: %s%n  positive: %s%n", e.query(), clip(e.positives().get(0)));
            for (String n : e.negatives()) {
                out.printf("  negative (%d shared words): %s%n",
                        SharedOpeningSampler.sharedLeadingWords(e.positives().get(0), n), clip(n));
            }
        }
        out.flush();
        FinetuneResult training = Finetuner.builder().model(model).trainingSet(train)
                .negativeSampler(sampler, corpus)
                .batchSize(batchSize).groupSize(sampler.negativesPerQuery() + 1)
                .queryMaxLength(Math.min(32, model.maxLength())).passageMaxLength(Math.min(128, model.maxLength()))
                .maxSteps(steps).seed(seed).listener(new ConsoleProgress(out)).build().fit();
        for (StepRecord s : training.steps()) {
            out.printf("step %d loss %.4f%n", s.step(), s.loss());
        }
        out.flush();
        return new Outcome(sampled, training);
    }

    /**
     * @param args optional: model (preset or directory), training queries, steps
     */
    public static void main(String[] args) {
        String modelName = args.length > 0 ? args[0] : "bge-small-en-v1.5";
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path data = Path.of("data/debian-packages-en");
        TrainingSet train = TrainingSet.readJsonl(data.resolve("train.jsonl")).sample(queries, 42);
        Corpus corpus = Corpus.readJsonl(data.resolve("corpus.jsonl"));
        PrintWriter out = new PrintWriter(System.out, true);
        try (BgeModel model = BgeModel.load(modelName)) {
            run(model, train, corpus, new SharedOpeningSampler(3, 4), 16, steps, 42, out);
        }
    }

    private static String clip(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 90 ? one : one.substring(0, 87) + "...";
    }
}
