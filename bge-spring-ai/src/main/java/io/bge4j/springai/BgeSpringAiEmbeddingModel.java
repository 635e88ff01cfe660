package io.bge4j.springai;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * A bge4j model (base or fine-tuned) as a Spring AI {@link EmbeddingModel}: BGE's CLS pooling, L2 normalisation and
 * query instruction, computed in-process by bge4j's {@link Embedder} (Spring AI's own ONNX
 * {@code TransformersEmbeddingModel} mean-pools and does not normalise, which is not how BGE was trained).
 *
 * <p><b>Query or document.</b> Spring AI's {@code EmbeddingModel} has no input-type notion, so the role of a text
 * comes from, in order: {@link BgeEmbeddingOptions} on the request; then the {@link BgeInputMode} (default
 * {@link BgeInputMode#AUTO}, which treats {@code embed(String)} as a query and every document/list/request call as a
 * document, matching how Spring AI's vector stores call the model). {@link #embedQueries} and {@link #embedDocuments}
 * say it explicitly. Texts are encoded in batches of the embedder's batch size; Spring AI's {@link BatchingStrategy}
 * splits document lists first. Concurrent calls are fine with bge4j's own embedder (a test runs 12 calls on 4 threads
 * through one instance and gets the sequential vectors); with another {@link Embedder}, thread safety is that one's.
 *
 * <p>Usage:
 * <pre>{@code
 * try (BgeModel bge = BgeModel.load("bge-small-en-v1.5");
 *      BgeSpringAiEmbeddingModel model = BgeSpringAiEmbeddingModel.builder().model(bge).batchSize(64).build()) {
 *     VectorStore store = SimpleVectorStore.builder(model).build();
 *     store.add(documents);                                   // documents: no instruction
 *     store.similaritySearch("how do I install a web server"); // query: instruction added
 * }
 * }</pre>
 * With Spring Boot, {@link BgeEmbeddingAutoConfiguration} builds it from {@code bge4j.embedding.*} properties.
 */
public final class BgeSpringAiEmbeddingModel implements EmbeddingModel, AutoCloseable {

    private final Embedder embedder;
    private final boolean ownsEmbedder;
    private final String modelName;
    private final BgeInputMode inputMode;

    private BgeSpringAiEmbeddingModel(Embedder embedder, boolean ownsEmbedder, String modelName, BgeInputMode inputMode) {
        this.embedder = embedder;
        this.ownsEmbedder = ownsEmbedder;
        this.modelName = modelName;
        this.inputMode = inputMode;
    }

    /** @return a builder; set exactly one of {@code model} or {@code embedder} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        Objects.requireNonNull(request, "request");
        boolean query = isQuery(request.getOptions(), inputMode == BgeInputMode.QUERY);
        return response(encode(request.getInstructions(), query));
    }

    /** In {@link BgeInputMode#AUTO} and {@link BgeInputMode#QUERY} a single string is a query. */
    @Override
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        return encode(List.of(text), inputMode != BgeInputMode.DOCUMENT).get(0);
    }

    /** A document, unless the mode is {@link BgeInputMode#QUERY}. */
    @Override
    public float[] embed(Document document) {
        return encode(List.of(textOf(document)), inputMode == BgeInputMode.QUERY).get(0);
    }

    /** Documents (unless the options or the mode say queries), split by {@code batchingStrategy}, in input order. */
    @Override
    public List<float[]> embed(List<Document> documents, EmbeddingOptions options, BatchingStrategy batchingStrategy) {
        Objects.requireNonNull(documents, "documents");
        Objects.requireNonNull(batchingStrategy, "batchingStrategy");
        boolean query = isQuery(options, inputMode == BgeInputMode.QUERY);
        List<float[]> out = new ArrayList<>(documents.size());
        for (List<Document> batch : batchingStrategy.batch(documents)) {
            List<String> texts = new ArrayList<>(batch.size());
            for (Document d : batch) {
                texts.add(textOf(d));
            }
            out.addAll(encode(texts, query));
        }
        if (out.size() != documents.size()) {
            throw new IllegalStateException("the batching strategy returned " + out.size() + " documents for "
                    + documents.size() + " given");
        }
        return out;
    }

    /**
     * @param queries search queries
     * @return their vectors, the query instruction prepended, whatever the mode
     */
    public List<float[]> embedQueries(List<String> queries) {
        return encode(queries, true);
    }

    /**
     * @param documents documents
     * @return their vectors, encoded as given, whatever the mode
     */
    public List<float[]> embedDocuments(List<String> documents) {
        return encode(documents, false);
    }

    @Override
    public int dimensions() {
        return embedder.dimension();
    }

    /** @return the model name reported in response metadata */
    public String modelName() {
        return modelName;
    }

    /** @return how calls without {@link BgeEmbeddingOptions} are routed */
    public BgeInputMode inputMode() {
        return inputMode;
    }

    /** Closes the embedder this model created (one passed to {@link Builder#embedder} stays open). */
    @Override
    public void close() {
        if (ownsEmbedder) {
            embedder.close();
        }
    }

    @Override
    public String toString() {
        return "BgeSpringAiEmbeddingModel[" + modelName + ", dimension " + embedder.dimension() + ", " + inputMode + "]";
    }

    private boolean isQuery(EmbeddingOptions options, boolean fallback) {
        if (options == null) {
            return fallback;
        }
        if (options.getDimensions() != null && options.getDimensions() != embedder.dimension()) {
            throw new IllegalArgumentException("EmbeddingOptions asks for " + options.getDimensions() + " dimensions, but "
                    + modelName + " produces " + embedder.dimension() + " (bge4j does not truncate vectors)");
        }
        if (options instanceof BgeEmbeddingOptions bge) {
            return bge.inputType() == BgeEmbeddingOptions.InputType.QUERY;
        }
        return fallback;
    }

    private List<float[]> encode(List<String> texts, boolean query) {
        Objects.requireNonNull(texts, "texts");
        float[][] v = query ? embedder.encodeQueries(texts) : embedder.encodeCorpus(texts);
        return Arrays.asList(v);
    }

    private String textOf(Document document) {
        Objects.requireNonNull(document, "document");
        String text = getEmbeddingContent(document);
        if (text == null) {
            throw new IllegalArgumentException("document " + document.getId() + " has no text; " + modelName
                    + " embeds text only");
        }
        return text;
    }

    private EmbeddingResponse response(List<float[]> vectors) {
        List<Embedding> embeddings = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            embeddings.add(new Embedding(vectors.get(i), i));
        }
        return new EmbeddingResponse(embeddings, new EmbeddingResponseMetadata(modelName, new EmptyUsage()));
    }

    /**
     * Options of a {@link BgeSpringAiEmbeddingModel}; {@link #build()} validates them and can be called again.
     *
     * <p>Usage: {@code BgeSpringAiEmbeddingModel.builder().model(bge).batchSize(64).inputMode(BgeInputMode.AUTO).build()}
     */
    public static final class Builder {
        private BgeModel model;
        private Embedder embedder;
        private Integer batchSize;
        private String queryInstruction;
        private String modelName;
        private BgeInputMode inputMode = BgeInputMode.AUTO;

        private Builder() {}

        /**
         * @param model the bge4j model; the adapter creates (and closes) its own embedder and never closes the model
         * @return this
         */
        public Builder model(BgeModel model) {
            if (this.model != null || this.embedder != null) {
                throw new IllegalStateException("model/embedder was already set; set exactly one of them");
            }
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** @param embedder an embedder to use as is; the adapter does not close it @return this */
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

        /** @param instruction query instruction instead of the model's ({@code ""}: none; only with {@link #model}) @return this */
        public Builder queryInstruction(String instruction) {
            this.queryInstruction = Objects.requireNonNull(instruction, "queryInstruction");
            return this;
        }

        /** @param name the name in response metadata (default: the model's name, or "bge4j") @return this */
        public Builder modelName(String name) {
            this.modelName = Objects.requireNonNull(name, "modelName");
            return this;
        }

        /** @param mode routing of calls without {@link BgeEmbeddingOptions} (default AUTO) @return this */
        public Builder inputMode(BgeInputMode mode) {
            this.inputMode = Objects.requireNonNull(mode, "inputMode");
            return this;
        }

        /**
         * @return the model (close it when it was built from a {@link BgeModel})
         * @throws IllegalStateException when neither or both sources were set, or embedder options came with a ready
         *     embedder
         * @throws IllegalArgumentException when the batch size is below 1
         */
        public BgeSpringAiEmbeddingModel build() {
            if (model == null && embedder == null) {
                throw new IllegalStateException("set model(BgeModel) or embedder(Embedder)");
            }
            if (embedder != null && (batchSize != null || queryInstruction != null)) {
                throw new IllegalStateException("batchSize/queryInstruction configure the embedder built from model(...);"
                        + " with embedder(...) set them on that embedder instead");
            }
            if (batchSize != null && batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            String name = modelName != null ? modelName : model != null ? model.name() : "bge4j";
            if (embedder != null) {
                return new BgeSpringAiEmbeddingModel(embedder, false, name, inputMode);
            }
            var eb = model.embedder();
            if (batchSize != null) {
                eb.batchSize(batchSize);
            }
            if (queryInstruction != null) {
                eb.queryInstruction(queryInstruction);
            }
            return new BgeSpringAiEmbeddingModel(eb.build(), true, name, inputMode);
        }
    }
}
