package io.bge4j.springai;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code bge4j.embedding.*} properties read by {@link BgeEmbeddingAutoConfiguration}.
 *
 * <p>Usage ({@code application.properties}):
 * <pre>
 * bge4j.embedding.model=/models/my-finetuned-bge     # a model directory, or a preset such as bge-small-en-v1.5
 * bge4j.embedding.device=cpu                         # cpu, gpu, gpu:1 (default: GPU 0 when the CUDA engine sees one)
 * bge4j.embedding.batch-size=64
 * bge4j.embedding.input-mode=auto                    # auto, query or document
 * </pre>
 */
@ConfigurationProperties(prefix = BgeEmbeddingProperties.PREFIX)
public class BgeEmbeddingProperties {

    /** The property prefix. */
    public static final String PREFIX = "bge4j.embedding";

    /** A preset name (bge-small-en-v1.5 and bge-small-zh-v1.5 are embedded) or a Hugging Face model directory. */
    private String model = "bge-small-en-v1.5";

    /** cpu, gpu or gpu:N; empty means bge4j's default device. */
    private String device;

    /** Texts per forward pass. */
    private int batchSize = 32;

    /** Token cap per text, special tokens included; empty means the model's maximum. */
    private Integer maxLength;

    /** Query instruction instead of the model's own; an empty string means none. */
    private String queryInstruction;

    /** Routing of calls that carry no {@link BgeEmbeddingOptions}. */
    private BgeInputMode inputMode = BgeInputMode.AUTO;

    /** @return the preset name or model directory */
    public String getModel() {
        return model;
    }

    /** @param model a preset name or model directory */
    public void setModel(String model) {
        this.model = model;
    }

    /** @return cpu, gpu, gpu:N, or null for the default */
    public String getDevice() {
        return device;
    }

    /** @param device cpu, gpu or gpu:N */
    public void setDevice(String device) {
        this.device = device;
    }

    /** @return texts per forward pass */
    public int getBatchSize() {
        return batchSize;
    }

    /** @param batchSize texts per forward pass */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    /** @return token cap per text, or null for the model's */
    public Integer getMaxLength() {
        return maxLength;
    }

    /** @param maxLength token cap per text */
    public void setMaxLength(Integer maxLength) {
        this.maxLength = maxLength;
    }

    /** @return the query instruction override, or null for the model's */
    public String getQueryInstruction() {
        return queryInstruction;
    }

    /** @param queryInstruction the query instruction override ("" for none) */
    public void setQueryInstruction(String queryInstruction) {
        this.queryInstruction = queryInstruction;
    }

    /** @return the routing mode */
    public BgeInputMode getInputMode() {
        return inputMode;
    }

    /** @param inputMode the routing mode */
    public void setInputMode(BgeInputMode inputMode) {
        this.inputMode = inputMode;
    }
}
