package io.bge4j.springai;

import java.util.Objects;
import org.springframework.ai.embedding.EmbeddingOptions;

/**
 * Spring AI {@link EmbeddingOptions} that say whether the texts of one request are queries or documents; they override
 * the model's {@link BgeInputMode}. {@link #getModel()} and {@link #getDimensions()} are unset.
 *
 * <p>Usage: {@code model.call(new EmbeddingRequest(List.of("web server"), BgeEmbeddingOptions.query()))}
 *
 * @param inputType queries or documents
 */
public record BgeEmbeddingOptions(InputType inputType) implements EmbeddingOptions {

    /** The role of a request's texts. */
    public enum InputType {
        /** Search queries: the model's query instruction is prepended. */
        QUERY,
        /** Documents to index: encoded as given. */
        DOCUMENT
    }

    /** @throws NullPointerException when {@code inputType} is null */
    public BgeEmbeddingOptions {
        Objects.requireNonNull(inputType, "inputType");
    }

    /** @return options for a request of queries */
    public static BgeEmbeddingOptions query() {
        return new BgeEmbeddingOptions(InputType.QUERY);
    }

    /** @return options for a request of documents */
    public static BgeEmbeddingOptions document() {
        return new BgeEmbeddingOptions(InputType.DOCUMENT);
    }

    /** @return null: the model is the one the {@link BgeSpringAiEmbeddingModel} was built with */
    @Override
    public String getModel() {
        return null;
    }

    /** @return null: the dimension is the model's */
    @Override
    public Integer getDimensions() {
        return null;
    }
}
