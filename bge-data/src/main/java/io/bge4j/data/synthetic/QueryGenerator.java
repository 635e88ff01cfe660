package io.bge4j.data.synthetic;

import io.bge4j.data.Seeds;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.TextUnits;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes synthetic queries for passages with an LLM, in the style of your real users: each prompt
 * shows {@link Builder#shots(int)} real (query, passage) pairs from your data as examples, chosen
 * in the passage's script (Han vs Latin) and spread out (each next example is the one least like
 * those already chosen, by query-word overlap), then asks for {@link Builder#queriesPerPassage(int)}
 * queries. Answers are parsed with {@link AnswerParser}; with a {@link GenerationCache} every answer
 * is stored as soon as it arrives, so a re-run (or a run resumed after a crash) makes no calls for
 * finished passages.
 *
 * <p>Each generated example has the passage as its only positive, {@link Builder#source(String)}
 * (default {@code "synthetic"}) as its source and {@link Builder#type(String)} (default
 * {@code "synthetic"}) as its type. The generation prompt is kept on {@link GeneratedQuery#prompt()}
 * (and in the cache); it is deliberately not put into {@link TrainingExample#prompt()}, because the
 * trainer prepends that field to the query as its instruction. Use {@link Builder#instruction(String)}
 * to set one.
 *
 * <p>Usage:
 * <pre>{@code
 * QueryGenerator gen = QueryGenerator.builder()
 *     .client(llm).fewShotExamples(realTrainingSet).shots(4).queriesPerPassage(3)
 *     .cache(GenerationCache.open(Path.of("runs/llm-cache"))).parallelism(8).seed(42)
 *     .build();
 * GenerationResult r = gen.generate(passages);
 * }</pre>
 */
public final class QueryGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(QueryGenerator.class);
    private static final int CANDIDATE_CAP = 256;

    private final LlmClient client;
    private final List<FewShotPair> pool;
    private final List<Set<String>> poolUnits;
    private final List<TextUnits.Script> poolScripts;
    private final List<String> poolPassageKeys;
    private final int shots;
    private final int queriesPerPassage;
    private final int maxPassageChars;
    private final GenerationCache cache;
    private final int parallelism;
    private final long seed;
    private final String source;
    private final String type;
    private final String instruction;

    private QueryGenerator(Builder b) {
        this.client = b.client;
        this.pool = List.copyOf(b.pool);
        this.poolUnits = new ArrayList<>(pool.size());
        this.poolScripts = new ArrayList<>(pool.size());
        this.poolPassageKeys = new ArrayList<>(pool.size());
        for (FewShotPair p : pool) {
            poolUnits.add(TextUnits.unitSet(p.query()));
            poolScripts.add(TextUnits.dominantScript(p.passage()));
            poolPassageKeys.add(TextNormalizer.normalize(p.passage()));
        }
        this.shots = b.shots;
        this.queriesPerPassage = b.queriesPerPassage;
        this.maxPassageChars = b.maxPassageChars;
        this.cache = b.cache;
        this.parallelism = b.parallelism;
        this.seed = b.seed;
        this.source = b.source;
        this.type = b.type;
        this.instruction = b.instruction;
    }

    /** @return a builder; {@link Builder#client(LlmClient)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Chooses the few-shot examples for a passage: pairs in the passage's script first (others
     * only when too few), never a pair about the same passage, a seeded first pick, then each next
     * pick the candidate whose query shares the fewest words with those already picked.
     *
     * @param passage the passage to generate for
     * @return up to {@link Builder#shots(int)} pairs
     */
    public List<FewShotPair> selectShots(String passage) {
        String key = TextNormalizer.normalize(passage);
        TextUnits.Script script = TextUnits.dominantScript(passage);
        List<Integer> same = new ArrayList<>();
        List<Integer> other = new ArrayList<>();
        for (int i = 0; i < pool.size(); i++) {
            if (poolPassageKeys.get(i).equals(key)) {
                continue;
            }
            (poolScripts.get(i) == script ? same : other).add(i);
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, key.hashCode()));
        shuffle(same, rnd);
        shuffle(other, rnd);
        List<Integer> candidates = new ArrayList<>(same.subList(0, Math.min(same.size(), CANDIDATE_CAP)));
        if (candidates.size() < shots) {
            candidates.addAll(other.subList(0, Math.min(other.size(), shots - candidates.size())));
        }
        List<Integer> chosen = new ArrayList<>();
        boolean[] used = new boolean[candidates.size()];
        while (chosen.size() < Math.min(shots, candidates.size())) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < candidates.size(); c++) {
                if (used[c]) {
                    continue;
                }
                double maxSim = 0;
                for (int ch : chosen) {
                    maxSim = Math.max(maxSim, TextUnits.jaccard(poolUnits.get(candidates.get(c)), poolUnits.get(ch)));
                }
                double score = -maxSim;
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            used[best] = true;
            chosen.add(candidates.get(best));
        }
        List<FewShotPair> out = new ArrayList<>(chosen.size());
        for (int i : chosen) {
            out.add(pool.get(i));
        }
        return out;
    }

    /**
     * @param passage the passage
     * @return the exact prompt this generator sends for it
     */
    public String promptFor(String passage) {
        return QueryPrompt.build(selectShots(passage), passage, queriesPerPassage, maxPassageChars);
    }

    /**
     * Generates queries for every passage. Calls run on {@link Builder#parallelism(int)} threads
     * (the client bounds how many reach the server at once). The first failed call stops the run and
     * is rethrown; answers already received stay in the cache.
     *
     * @param passages the passages
     * @return the queries, in passage order
     * @throws LlmException when a call fails
     */
    public GenerationResult generate(List<String> passages) {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger hits = new AtomicInteger();
        List<List<GeneratedQuery>> perPassage = new ArrayList<>(passages.size());
        if (parallelism == 1 || passages.size() <= 1) {
            for (String p : passages) {
                perPassage.add(generateOne(p, calls, hits));
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
                Thread t = new Thread(r, "bge4j-query-generator");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<List<GeneratedQuery>>> futures = new ArrayList<>(passages.size());
                for (String p : passages) {
                    futures.add(pool.submit(() -> generateOne(p, calls, hits)));
                }
                for (Future<List<GeneratedQuery>> f : futures) {
                    perPassage.add(f.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmException("interrupted while generating queries", -1, e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new LlmException("query generation failed: " + c, -1, c);
            } finally {
                pool.shutdownNow();
            }
        }
        List<GeneratedQuery> all = new ArrayList<>();
        List<TrainingExample> examples = new ArrayList<>();
        int empty = 0;
        for (List<GeneratedQuery> list : perPassage) {
            if (list.isEmpty()) {
                empty++;
            }
            for (GeneratedQuery g : list) {
                all.add(g);
                examples.add(TrainingExample.builder().query(g.query()).positives(List.of(g.passage()))
                        .prompt(instruction).type(type).source(source).build());
            }
        }
        LOG.info("generated {} queries for {} passages ({} LLM calls, {} cache hits, {} passages without a query)",
                all.size(), passages.size(), calls.get(), hits.get(), empty);
        return new GenerationResult(all, TrainingSet.of(source, examples), passages.size(), calls.get(), hits.get(),
                empty);
    }

    private List<GeneratedQuery> generateOne(String passage, AtomicInteger calls, AtomicInteger hits) {
        String prompt = promptFor(passage);
        String model = client.model();
        String answer = null;
        boolean cached = false;
        if (cache != null) {
            answer = cache.get(model, prompt, passage).orElse(null);
            cached = answer != null;
        }
        if (answer == null) {
            calls.incrementAndGet();
            answer = client.complete(List.of(ChatMessage.user(prompt)));
            if (cache != null) {
                cache.put(model, prompt, passage, answer);
            }
        } else {
            hits.incrementAndGet();
        }
        List<GeneratedQuery> out = new ArrayList<>();
        for (String q : AnswerParser.parse(answer, queriesPerPassage)) {
            out.add(new GeneratedQuery(q, passage, prompt, model, cached));
        }
        if (out.isEmpty()) {
            LOG.warn("no query could be parsed from the answer for a passage starting '{}'",
                    passage.substring(0, Math.min(60, passage.length())));
        }
        return out;
    }

    private static void shuffle(List<Integer> list, SplittableRandom rnd) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Integer t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /**
     * Options of a {@link QueryGenerator}; {@link #build()} checks them and names the bad one.
     *
     * <p>Usage: {@code QueryGenerator.builder().client(llm).fewShotExamples(real).build()}
     */
    public static final class Builder {
        private LlmClient client;
        private final List<FewShotPair> pool = new ArrayList<>();
        private int shots = 4;
        private int queriesPerPassage = 3;
        private int maxPassageChars = 1000;
        private GenerationCache cache;
        private int parallelism = 1;
        private long seed = 42;
        private String source = "synthetic";
        private String type = "synthetic";
        private String instruction;

        private Builder() {
        }

        /**
         * @param client the LLM (required)
         * @return this builder
         */
        public Builder client(LlmClient client) {
            this.client = client;
            return this;
        }

        /**
         * Adds real pairs to imitate: each example's query with its first positive.
         *
         * @param real real training examples
         * @return this builder
         */
        public Builder fewShotExamples(TrainingSet real) {
            for (TrainingExample e : real) {
                pool.add(new FewShotPair(e.query(), e.positives().get(0)));
            }
            return this;
        }

        /**
         * @param pairs real pairs to imitate
         * @return this builder
         */
        public Builder fewShotPairs(List<FewShotPair> pairs) {
            pool.addAll(pairs);
            return this;
        }

        /**
         * @param shots examples per prompt (default 4; 0 gives a zero-shot prompt)
         * @return this builder
         */
        public Builder shots(int shots) {
            this.shots = shots;
            return this;
        }

        /**
         * @param n queries asked for per passage (default 3)
         * @return this builder
         */
        public Builder queriesPerPassage(int n) {
            this.queriesPerPassage = n;
            return this;
        }

        /**
         * @param maxPassageChars passages in the prompt are cut to this many characters (default 1000)
         * @return this builder
         */
        public Builder maxPassageChars(int maxPassageChars) {
            this.maxPassageChars = maxPassageChars;
            return this;
        }

        /**
         * @param cache where answers are stored and reused (default none)
         * @return this builder
         */
        public Builder cache(GenerationCache cache) {
            this.cache = cache;
            return this;
        }

        /**
         * @param parallelism passages processed at once (default 1)
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /**
         * @param seed drives the few-shot choice (default 42)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param source the source name of generated examples (default "synthetic")
         * @return this builder
         */
        public Builder source(String source) {
            this.source = source;
            return this;
        }

        /**
         * @param type the type of generated examples (default "synthetic"; null for none)
         * @return this builder
         */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /**
         * @param instruction the query instruction stored in each example's prompt field (default none)
         * @return this builder
         */
        public Builder instruction(String instruction) {
            this.instruction = instruction;
            return this;
        }

        /**
         * @return the generator
         * @throws IllegalArgumentException naming the bad option
         */
        public QueryGenerator build() {
            if (client == null) {
                throw new IllegalArgumentException("client is required; call client(OpenAiChatClient.builder()...build())");
            }
            if (shots < 0) {
                throw new IllegalArgumentException("shots must be >= 0, was " + shots);
            }
            if (shots > 0 && pool.isEmpty()) {
                throw new IllegalArgumentException("shots is " + shots + " but no few-shot examples were given; call "
                        + "fewShotExamples(realSet) or fewShotPairs(...), or shots(0) for a zero-shot prompt");
            }
            if (queriesPerPassage < 1) {
                throw new IllegalArgumentException("queriesPerPassage must be >= 1, was " + queriesPerPassage);
            }
            if (maxPassageChars < 16) {
                throw new IllegalArgumentException("maxPassageChars must be >= 16, was " + maxPassageChars);
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
            }
            if (source == null || source.isBlank()) {
                throw new IllegalArgumentException("source must be a non-blank name, was '" + source + "'");
            }
            return new QueryGenerator(this);
        }
    }
}
