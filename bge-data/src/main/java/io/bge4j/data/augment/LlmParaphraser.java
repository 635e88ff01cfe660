package io.bge4j.data.augment;

import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.TextUnits;
import io.bge4j.data.synthetic.AnswerParser;
import io.bge4j.data.synthetic.ChatMessage;
import io.bge4j.data.synthetic.GenerationCache;
import io.bge4j.data.synthetic.LlmClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Varies <em>real</em> queries through an {@link LlmClient}: either asks for
 * {@link Builder#variantsPerExample(int)} paraphrases at once ({@link Mode#PARAPHRASE}), or
 * translates the query into a pivot language and back ({@link Mode#BACK_TRANSLATION}, one variant).
 * New queries equal to the original (after {@link TextNormalizer}) are dropped. Each new example is
 * the original with the new query, tagged with {@link AugmentTags} tag {@code paraphrase} or
 * {@code back-translation}. With a {@link GenerationCache} answers are reused on re-runs.
 *
 * <p>Usage:
 * <pre>{@code
 * TrainingSet extra = LlmParaphraser.builder().client(llm).mode(LlmParaphraser.Mode.BACK_TRANSLATION)
 *     .pivotLanguage("German").cache(cache).build().augment(real);
 * }</pre>
 */
public final class LlmParaphraser {

    /**
     * How queries are varied.
     *
     * <p>Usage: {@code LlmParaphraser.builder().client(llm).mode(LlmParaphraser.Mode.BACK_TRANSLATION).build()}
     */
    public enum Mode {
        /** Ask for paraphrases directly. */
        PARAPHRASE,
        /** Translate to a pivot language and back. */
        BACK_TRANSLATION
    }

    private final LlmClient client;
    private final Mode mode;
    private final int variants;
    private final String pivot;
    private final GenerationCache cache;

    private LlmParaphraser(Builder b) {
        this.client = b.client;
        this.mode = b.mode;
        this.variants = b.variants;
        this.pivot = b.pivot;
        this.cache = b.cache;
    }

    /** @return a builder; {@link Builder#client(LlmClient)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param query a query
     * @param n how many paraphrases
     * @return the exact paraphrase prompt
     */
    public static String paraphrasePrompt(String query, int n) {
        return "Rewrite this search query in " + n + " different ways a real user might type it. Keep its meaning "
                + "and its language; keep it as short and informal as the original.\nQuery: " + query
                + "\n\nAnswer with a JSON array of " + n + " strings and nothing else.";
    }

    /**
     * @param query a query
     * @param language the target language name
     * @return the exact translation prompt
     */
    public static String translationPrompt(String query, String language) {
        return "Translate this search query into " + language + ". Keep it a search query. Answer with the "
                + "translation only.\nQuery: " + query;
    }

    /** @return the tag of produced examples for this mode */
    public String tag() {
        return mode == Mode.PARAPHRASE ? "paraphrase" : "back-translation";
    }

    /**
     * @param input real examples
     * @return only the new examples, named {@code <input name>+<tag>}
     */
    public TrainingSet augment(TrainingSet input) {
        List<TrainingExample> out = new ArrayList<>();
        for (TrainingExample e : input) {
            Set<String> seen = new LinkedHashSet<>();
            seen.add(TextNormalizer.normalize(e.query()));
            List<String> made;
            if (mode == Mode.PARAPHRASE) {
                made = AnswerParser.parse(ask(paraphrasePrompt(e.query(), variants), e.query()), variants);
            } else {
                String original = TextUnits.dominantScript(e.query()) == TextUnits.Script.HAN ? "Chinese" : "English";
                List<String> there = AnswerParser.parse(ask(translationPrompt(e.query(), pivot), e.query()), 1);
                made = there.isEmpty() ? List.of()
                        : AnswerParser.parse(ask(translationPrompt(there.get(0), original), there.get(0)), 1);
            }
            for (String q : made) {
                if (seen.add(TextNormalizer.normalize(q))) {
                    out.add(AugmentTags.tagged(e, tag()).query(q).build());
                }
            }
        }
        return TrainingSet.of(input.name() + "+" + tag(), out);
    }

    private String ask(String prompt, String text) {
        if (cache != null) {
            String hit = cache.get(client.model(), prompt, text).orElse(null);
            if (hit != null) {
                return hit;
            }
        }
        String answer = client.complete(List.of(ChatMessage.user(prompt)));
        if (cache != null) {
            cache.put(client.model(), prompt, text, answer);
        }
        return answer;
    }

    /**
     * Options of an {@link LlmParaphraser}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code LlmParaphraser.builder().client(llm).variantsPerExample(2).build()}
     */
    public static final class Builder {
        private LlmClient client;
        private Mode mode = Mode.PARAPHRASE;
        private int variants = 2;
        private String pivot = "German";
        private GenerationCache cache;

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
         * @param mode paraphrase (default) or back-translation
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * @param n paraphrases asked for per query (default 2; back-translation makes one)
         * @return this builder
         */
        public Builder variantsPerExample(int n) {
            this.variants = n;
            return this;
        }

        /**
         * @param language the pivot language for back-translation (default "German")
         * @return this builder
         */
        public Builder pivotLanguage(String language) {
            this.pivot = language;
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
         * @return the paraphraser
         * @throws IllegalArgumentException naming the bad option
         */
        public LlmParaphraser build() {
            if (client == null) {
                throw new IllegalArgumentException("client is required; call client(...)");
            }
            if (mode == null) {
                throw new IllegalArgumentException("mode must not be null");
            }
            if (variants < 1) {
                throw new IllegalArgumentException("variantsPerExample must be >= 1, was " + variants);
            }
            if (pivot == null || pivot.isBlank()) {
                throw new IllegalArgumentException("pivotLanguage must be a language name, was '" + pivot + "'");
            }
            return new LlmParaphraser(this);
        }
    }
}
