package io.bge4j.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A bge4j model (base or fine-tuned) as a langchain4j 1.x {@link EmbeddingModel}: CLS pooling, L2
 * normalisation and the model's query instruction, computed in-process by bge4j's {@link Embedder}.
 *
 * <p><b>Query or document.</b> langchain4j 1.18+ carries the role of a text as the request parameter
 * {@link EmbeddingRequestParameters#INPUT_TYPE}: {@code EmbeddingStoreIngestor.builder().embeddingInputType(DOCUMENT)}
 * and {@code EmbeddingStoreContentRetriever.builder().embeddingInputType(QUERY)} set it, and so does
 * {@code EmbeddingRequest.builder().inputType(...)}. This model reads it: {@link EmbeddingInputType#QUERY} texts get
 * the model's query instruction prepended ({@link Embedder#encodeQueries}), {@link EmbeddingInputType#DOCUMENT} texts
 * are encoded as given ({@link Embedder#encodeCorpus}). Calls that carry no input type (plain {@code embed(String)},
 * {@code embedAll(segments)}, older components) use {@link Builder#defaultInputType the default}, which is DOCUMENT
 * unless set; {@link #forQueries()} and {@link #forDocuments()} are views with the other default for code that cannot
 * pass a parameter. Other per-call parameters (e.g. {@code dimensions}) are rejected by langchain4j with an
 * {@code UnsupportedFeatureException}, as its contract asks.
 *
 * <p>Texts are encoded in batches of the embedder's batch size. Thread safety is the embedder's (bge4j's own serves
 * concurrent calls; see docs/adapters.md).
 *
 * <p>Usage:
 * <pre>{@code
 * try (BgeModel bge = BgeModel.load("bge-small-en-v1.5");
 *      BgeLangChain4jEmbeddingModel model = BgeLangChain4jEmbeddingModel.builder().model(bge).batchSize(64).build()) {
 *     EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store)
 *             .embeddingInputType(EmbeddingInputType.DOCUMENT).build().ingest(documents);
 *     Embedding q = model.forQueries().embed("how do I install a web server").content();
 * }
 * }</pre>
 */
public final class BgeLangChain4jEmbeddingModel implements EmbeddingModel, AutoCloseable {

    private static final Set<EmbeddingParameter<?>> SUPPORTED = Set.of(EmbeddingRequestParameters.INPUT_TYPE);

    private final Embedder embedder;
    private final boolean ownsEmbedder;
    private final String modelName;
    private final EmbeddingInputType defaultInputType;
    private final EmbeddingRequestParameters defaults;

    private BgeLangChain4jEmbeddingModel(Embedder embedder, boolean ownsEmbedder, String modelName,
            EmbeddingInputType defaultInputType) {
        this.embedder = embedder;
        this.ownsEmbedder = ownsEmbedder;
        this.modelName = modelName;
        this.defaultInputType = defaultInputType;
        this.defaults = EmbeddingRequestParameters.builder().inputType(defaultInputType).build();
    }

    /** @return a builder; set exactly one of {@code model} or {@code embedder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param model a loaded bge4j model (not closed by the adapter)
     * @return an adapter with its own embedder (batch size 32, documents by default); close it
     */
    public static BgeLangChain4jEmbeddingModel of(BgeModel model) {
        return builder().model(model).build();
    }

    @Override
    public EmbeddingResponse doEmbed(EmbeddingRequest request) {
        EmbeddingInputType type = request.inputType() == null ? defaultInputType : request.inputType();
        List<String> texts = new ArrayList<>(request.inputs().size());
        for (EmbeddingInput input : request.inputs()) {
            texts.add(input.text());
        }
        float[][] vectors = type == EmbeddingInputType.QUERY ? embedder.encodeQueries(texts) : embedder.encodeCorpus(texts);
        List<Embedding> embeddings = new ArrayList<>(vectors.length);
        for (float[] v : vectors) {
            embeddings.add(Embedding.from(v));
        }
        return EmbeddingResponse.builder().embeddings(embeddings)
                .metadata(EmbeddingResponseMetadata.builder().modelName(modelName).build()).build();
    }

    @Override
    public EmbeddingRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public Set<EmbeddingParameter<?>> supportedParameters() {
        return SUPPORTED;
    }

    @Override
    public int dimension() {
        return embedder.dimension();
    }

    @Override
    public String modelName() {
        return modelName;
    }

    /** @return the input type used when a request names none */
    public EmbeddingInputType defaultInputType() {
        return defaultInputType;
    }

    /**
     * @return a view on the same embedder whose calls without an input type are queries (instruction added); closing
     *     the view does nothing
     */
    public BgeLangChain4jEmbeddingModel forQueries() {
        return new BgeLangChain4jEmbeddingModel(embedder, false, modelName, EmbeddingInputType.QUERY);
    }

    /**
     * @return a view on the same embedder whose calls without an input type are documents (no instruction); closing
     *     the view does nothing
     */
    public BgeLangChain4jEmbeddingModel forDocuments() {
        return new BgeLangChain4jEmbeddingModel(embedder, false, modelName, EmbeddingInputType.DOCUMENT);
    }

    /** Closes the embedder this adapter created (one passed to {@link Builder#embedder} stays open). */
    @Override
    public void close() {
        if (ownsEmbedder) {
            embedder.close();
        }
    }

    @Override
    public String toString() {
        return "BgeLangChain4jEmbeddingModel[" + modelName + ", dimension " + embedder.dimension() + ", default "
                + defaultInputType + "]";
    }

    /**
     * Options of a {@link BgeLangChain4jEmbeddingModel}; {@link #build()} validates them and can be called again.
     *
     * <p>Usage: {@code BgeLangChain4jEmbeddingModel.builder().model(bge).batchSize(64).defaultInputType(QUERY).build()}
     */
    public static final class Builder {
        private BgeModel model;
        private Embedder embedder;
        private Integer batchSize;
        private String queryInstruction;
        private String modelName;
        private EmbeddingInputType defaultInputType = EmbeddingInputType.DOCUMENT;

        private Builder() {}

        /**
         * @param model the bge4j model to embed with; the adapter creates (and closes) its own embedder, and never
         *     closes the model
         * @return this
         */
        public Builder model(BgeModel model) {
            if (this.model != null || this.embedder != null) {
                throw new IllegalStateException("model/embedder was already set; set exactly one of them");
            }
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * @param embedder an embedder to use as is (its batch size and instruction); the adapter does not close it
         * @return this
         */
        public Builder embedder(Embedder embedder) {
            if (this.model != null || this.embedder != null) {
                throw new IllegalStateException("model/embedder was already set; set exactly one of them");
            }
            this.embedder = Objects.requireNonNull(embedder, "embedder");
            return this;
        }

        /** @param batchSize texts per forward pass (default 32; only with {@link #model}) @return this */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param instruction query instruction instead of the model's own ({@code ""} for none; only with
         *     {@link #model})
         * @return this
         */
        public Builder queryInstruction(String instruction) {
            this.queryInstruction = Objects.requireNonNull(instruction, "queryInstruction");
            return this;
        }

        /** @param name the name {@link #modelName()} reports (default: the model's name, or "bge4j") @return this */
        public Builder modelName(String name) {
            this.modelName = Objects.requireNonNull(name, "modelName");
            return this;
        }

        /** @param type input type for calls that name none (default DOCUMENT) @return this */
        public Builder defaultInputType(EmbeddingInputType type) {
            this.defaultInputType = Objects.requireNonNull(type, "defaultInputType");
            return this;
        }

        /**
         * @return the adapter (close it when it was built from a model)
         * @throws IllegalStateException when neither a model nor an embedder was set, or when embedder-building options
         *     were given together with a ready embedder
         * @throws IllegalArgumentException when the batch size is below 1
         */
        public BgeLangChain4jEmbeddingModel build() {
            if (model == null && embedder == null) {
                throw new IllegalStateException("set model(BgeModel) or embedder(Embedder)");
            }
            if (embedder != null && (batchSize != null || queryInstruction != null)) {
                throw new IllegalStateException("batchSize/queryInstruction configure the embedder the adapter builds from"
                        + " model(...); with embedder(...) set them on that embedder instead");
            }
            if (batchSize != null && batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            String name = modelName != null ? modelName : model != null ? model.name() : "bge4j";
            if (embedder != null) {
                return new BgeLangChain4jEmbeddingModel(embedder, false, name, defaultInputType);
            }
            var eb = model.embedder();
            if (batchSize != null) {
                eb.batchSize(batchSize);
            }
            if (queryInstruction != null) {
                eb.queryInstruction(queryInstruction);
            }
            return new BgeLangChain4jEmbeddingModel(eb.build(), true, name, defaultInputType);
        }
    }
}
