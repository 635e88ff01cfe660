package io.bge4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.CopyFilter;
import io.bge4j.data.quality.Deduplicator;
import io.bge4j.data.quality.ExampleFilter;
import io.bge4j.data.quality.FilterResult;
import io.bge4j.data.quality.LanguageFilter;
import io.bge4j.data.quality.LengthFilter;
import io.bge4j.data.quality.RoundTripConsistencyFilter;
import io.bge4j.data.synthetic.GenerationCache;
import io.bge4j.data.synthetic.GenerationResult;
import io.bge4j.data.synthetic.Mixer;
import io.bge4j.data.synthetic.OpenAiChatClient;
import io.bge4j.data.synthetic.QueryGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The synthetic-data pipeline end to end: real (query, passage) pairs as few-shot examples → an LLM
 * writes queries for unlabelled passages → length, language, copy, de-duplication and round-trip
 * filters → real and synthetic mixed at a target share → FlagEmbedding JSONL plus a JSON mix report.
 * Without {@code --endpoint} a built-in stub LLM on 127.0.0.1 answers, so the program runs offline.
 * The mixed set in {@link Outcome#mix()} also carries its report ({@code TrainingSet.mix()}), so fine-tuning on
 * it directly records the mix with the run; {@code mix-report.json} keeps it for the JSONL file, which cannot.
 *
 * <p>Usage:
 * <pre>
 * java -cp examples/target/bge4j.jar io.bge4j.examples.SyntheticQueriesExample \
 *     [--endpoint http://localhost:8000/v1 --llm Qwen2.5-7B-Instruct] [--model BAAI/bge-small-en-v1.5] \
 *     [--train data/debian-packages-en/train.jsonl] [--real 40] [--passages 20] [--ratio 0.3] \
 *     [--out runs/synthetic/mixed.jsonl]
 * </pre>
 */
public final class SyntheticQueriesExample {

    private SyntheticQueriesExample() {
    }

    /**
     * What to run.
     *
     * <p>Usage: {@code SyntheticQueriesExample.Options.defaults().withOut(Path.of("out.jsonl"))}
     *
     * @param train FlagEmbedding JSONL with real pairs
     * @param realCount how many of its first examples are used as real data and few-shot pool
     * @param passageCount how many of the following examples' positives get synthetic queries
     * @param endpoint an OpenAI-compatible base URL, or null for the built-in stub
     * @param llmModel the LLM model name
     * @param embeddingModel a BGE model name/dir for the round-trip filter, or null for a tiny random one
     * @param out the mixed JSONL to write (the report goes next to it as {@code mix-report.json})
     * @param syntheticRatio target synthetic share of the mix
     * @param seed drives every random choice
     */
    public record Options(Path train, int realCount, int passageCount, String endpoint, String llmModel,
            String embeddingModel, Path out, double syntheticRatio, long seed) {

        /** @return the shipped Debian sample, the stub LLM, a tiny model, 30% synthetic */
        public static Options defaults() {
            return new Options(Path.of("data/debian-packages-en/train.jsonl"), 40, 20, null, "stub-llm", null,
                    Path.of("runs/synthetic/mixed.jsonl"), 0.3, 42);
        }

        static Options parse(String[] args) {
            Options o = defaults();
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                o = switch (args[i]) {
                    case "--train" -> new Options(Path.of(v), o.realCount, o.passageCount, o.endpoint, o.llmModel,
                            o.embeddingModel, o.out, o.syntheticRatio, o.seed);
                    case "--real" -> new Options(o.train, Integer.parseInt(v), o.passageCount, o.endpoint, o.llmModel,
                            o.embeddingModel, o.out, o.syntheticRatio, o.seed);
                    case "--passages" -> new Options(o.train, o.realCount, Integer.parseInt(v), o.endpoint, o.llmModel,
                            o.embeddingModel, o.out, o.syntheticRatio, o.seed);
                    case "--endpoint" -> new Options(o.train, o.realCount, o.passageCount, v, o.llmModel,
                            o.embeddingModel, o.out, o.syntheticRatio, o.seed);
                    case "--llm" -> new Options(o.train, o.realCount, o.passageCount, o.endpoint, v, o.embeddingModel,
                            o.out, o.syntheticRatio, o.seed);
                    case "--model" -> new Options(o.train, o.realCount, o.passageCount, o.endpoint, o.llmModel, v,
                            o.out, o.syntheticRatio, o.seed);
                    case "--out" -> new Options(o.train, o.realCount, o.passageCount, o.endpoint, o.llmModel,
                            o.embeddingModel, Path.of(v), o.syntheticRatio, o.seed);
                    case "--ratio" -> new Options(o.train, o.realCount, o.passageCount, o.endpoint, o.llmModel,
                            o.embeddingModel, o.out, Double.parseDouble(v), o.seed);
                    case "--seed" -> new Options(o.train, o.realCount, o.passageCount, o.endpoint, o.llmModel,
                            o.embeddingModel, o.out, o.syntheticRatio, Long.parseLong(v));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; known: --train --real --passages --endpoint --llm --model --out --ratio --seed");
                };
                i++;
            }
            return o;
        }
    }

    /**
     * What a run produced.
     *
     * <p>Usage: {@code Outcome o = SyntheticQueriesExample.run(options, out); o.mix().report().total();}
     *
     * @param generation the raw generation
     * @param filtered the filtered synthetic examples and the filter report
     * @param mix the final mix and its report
     * @param jsonl the written training file
     * @param report the written mix report
     */
    public record Outcome(GenerationResult generation, FilterResult filtered, Mixer.Result mix, Path jsonl,
            Path report) {
    }

    /**
     * @param args see the class comment
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        run(Options.parse(args), new PrintWriter(System.out, true));
    }

    /**
     * Runs the pipeline.
     *
     * @param o the options
     * @param out where progress lines go
     * @return what was produced
     * @throws IOException when a file cannot be read or written
     */
    public static Outcome run(Options o, PrintWriter out) throws IOException {
        List<TrainingExample> all = TrainingSet.readJsonl(o.train()).examples();
        if (all.size() < o.realCount() + o.passageCount()) {
            throw new IllegalArgumentException(o.train() + " has " + all.size() + " examples; need realCount + "
                    + "passageCount = " + (o.realCount() + o.passageCount()));
        }
        TrainingSet real = TrainingSet.of("real", all.subList(0, o.realCount())).withSourceName();
        List<String> passages = new ArrayList<>();
        for (TrainingExample e : all.subList(o.realCount(), o.realCount() + o.passageCount())) {
            passages.add(e.positives().get(0));
        }
        HttpServer stub = o.endpoint() == null ? StubLlm.start() : null;
        try {
            String baseUrl = stub != null
                    ? "http://127.0.0.1:" + stub.getAddress().getPort() + "/v1" : o.endpoint();
            out.println("LLM endpoint: " + baseUrl + (stub != null ? " (built-in stub)" : "") + ", model "
                    + o.llmModel());
            OpenAiChatClient llm = OpenAiChatClient.builder().baseUrl(baseUrl).model(o.llmModel())
                    .requestTimeout(Duration.ofSeconds(stub != null ? 10 : 120))
                    .initialBackoff(Duration.ofMillis(stub != null ? 10 : 1000)).maxConcurrency(4).build();
            Path dir = o.out().toAbsolutePath().getParent();
            GenerationResult gen = QueryGenerator.builder().client(llm).fewShotExamples(real).shots(3)
                    .queriesPerPassage(3).parallelism(4).seed(o.seed())
                    .cache(GenerationCache.open(dir.resolve("llm-cache"))).build().generate(passages);
            out.printf(Locale.ROOT, "generated %d queries for %d passages (%d LLM calls, %d from cache)%n",
                    gen.queries().size(), gen.passages(), gen.llmCalls(), gen.cacheHits());

            List<String> corpus = new ArrayList<>(passages);
            real.forEach(e -> corpus.add(e.positives().get(0)));
            FilterResult filtered;
            try (BgeModel model = o.embeddingModel() != null ? BgeModel.load(o.embeddingModel())
                    : TinyModels.bert(textsOf(real, gen.trainingSet()), o.seed(), 0.0);
                    Embedder emb = model.embedder().build()) {
                ExampleFilter quality = ExampleFilter.chain(List.of(
                        LengthFilter.builder().minQueryUnits(2).maxQueryUnits(32).build(),
                        LanguageFilter.builder().build(),
                        CopyFilter.builder().ngram(4).threshold(0.5).build(),
                        Deduplicator.builder().threshold(0.8).build(),
                        RoundTripConsistencyFilter.builder().embedder(emb).topK(o.embeddingModel() != null ? 3 : 10)
                                .corpus(corpus).build()));
                filtered = quality.apply(gen.trainingSet());
            }
            out.println("filters:\n" + filtered.report().toMarkdown());
            Mixer.Result mix = Mixer.builder().add(real).add(filtered.kept()).syntheticRatio(o.syntheticRatio())
                    .seed(o.seed()).filterReport("synthetic", filtered.report()).build().mix();
            FlagJsonlWriter.writeAll(o.out(), mix.trainingSet().examples());
            Path report = dir.resolve("mix-report.json");
            AtomicFiles.writeString(report, mix.report().toJson());   // umask permissions, atomic
            out.println("mix:\n" + mix.report().toMarkdown());
            out.println("wrote " + o.out() + " and " + report);
            return new Outcome(gen, filtered, mix, o.out(), report);
        } finally {
            if (stub != null) {
                stub.stop(0);
            }
        }
    }

    private static List<String> textsOf(TrainingSet a, TrainingSet b) {
        List<String> texts = new ArrayList<>();
        for (TrainingSet s : List.of(a, b)) {
            for (TrainingExample e : s) {
                texts.add(e.query());
                texts.addAll(e.positives());
            }
        }
        return texts;
    }

    /**
     * A stand-in LLM for offline runs: it answers each prompt with a numbered list of three queries
     * made from the passage's words (a short one, a longer one, and a copied sentence that the copy
     * filter should catch), as a real model's chat-completions response.
     */
    static final class StubLlm {
        private static final ObjectMapper JSON = new ObjectMapper();

        private StubLlm() {
        }

        static HttpServer start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/chat/completions", ex -> {
                try (ex) {
                    JsonNode req = JSON.readTree(ex.getRequestBody());
                    String prompt = req.path("messages").path(0).path("content").asText();
                    byte[] body = JSON.writeValueAsBytes(Map.of("choices", List.of(Map.of("message",
                            Map.of("role", "assistant", "content", answer(prompt))))));
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream os = ex.getResponseBody()) {
                        os.write(body);
                    }
                }
            });
            server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "stub-llm");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return server;
        }

        static String answer(String prompt) {
            int at = prompt.lastIndexOf("Passage: ");
            int end = prompt.indexOf("\n\nAnswer", at);
            String passage = prompt.substring(at + 9, end < 0 ? prompt.length() : end);
            String[] words = passage.replaceAll("[^\\p{L}\\p{N} ]", " ").trim().toLowerCase(Locale.ROOT).split("\\s+");
            String shortQ = String.join(" ", java.util.Arrays.copyOfRange(words, 0, Math.min(3, words.length)));
            String longQ = "what is " + String.join(" ",
                    java.util.Arrays.copyOfRange(words, Math.min(1, words.length), Math.min(5, words.length)));
            String copied = String.join(" ", java.util.Arrays.copyOfRange(words, 0, Math.min(12, words.length)));
            return "Here are three queries:\n1. " + shortQ + "\n2. " + longQ + "\n3. " + copied + "\nHope this helps.";
        }
    }
}
