package io.bge4j.springai;

import ai.djl.Device;
import io.bge4j.core.BgeModel;
import io.bge4j.core.DjlRuntime;
import java.util.Locale;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: a {@link BgeModel} and a {@link BgeSpringAiEmbeddingModel} (the application's Spring
 * AI {@link EmbeddingModel}) from {@link BgeEmbeddingProperties} ({@code bge4j.embedding.*}). Nothing is downloaded:
 * the model is an embedded preset, a local directory, or found in the local Hugging Face cache.
 *
 * <p>It backs off when the application defines its own {@code BgeModel} (e.g. one it just fine-tuned) or
 * {@code EmbeddingModel} bean, and when {@code spring.ai.model.embedding} names another provider (Spring AI's switch
 * between embedding starters; set it to {@code bge4j} to pick this one explicitly).
 *
 * <p>Usage: add the {@code bge-spring-ai} artifact, set {@code bge4j.embedding.model=...}, inject
 * {@code EmbeddingModel}.
 */
@AutoConfiguration
@ConditionalOnClass({EmbeddingModel.class, BgeModel.class})
@ConditionalOnProperty(name = BgeEmbeddingAutoConfiguration.PROVIDER_PROPERTY, havingValue = "bge4j", matchIfMissing = true)
@EnableConfigurationProperties(BgeEmbeddingProperties.class)
public class BgeEmbeddingAutoConfiguration {

    /** Spring AI's property that selects the embedding provider among the starters on the classpath. */
    public static final String PROVIDER_PROPERTY = "spring.ai.model.embedding";

    private static final String P = BgeEmbeddingProperties.PREFIX + ".";

    /**
     * @param properties the bound properties
     * @return the model named by {@code bge4j.embedding.model}, on {@code bge4j.embedding.device} (not loaded when the
     *     application defines its own {@code EmbeddingModel})
     */
    @Bean
    @ConditionalOnMissingBean({BgeModel.class, EmbeddingModel.class})
    public BgeModel bge4jModel(BgeEmbeddingProperties properties) {
        if (properties.getModel() == null || properties.getModel().isBlank()) {
            throw new IllegalArgumentException(P + "model must name a preset (e.g. bge-small-en-v1.5) or a model directory");
        }
        BgeModel.Loader loader = BgeModel.loader();
        Device device = parseDevice(properties.getDevice());
        if (device != null) {
            loader.device(device);
        }
        if (properties.getMaxLength() != null) {
            if (properties.getMaxLength() < 2) {
                throw new IllegalArgumentException(P + "max-length must be >= 2, got " + properties.getMaxLength());
            }
            loader.maxLength(properties.getMaxLength());
        }
        if (properties.getQueryInstruction() != null) {
            loader.queryInstruction(properties.getQueryInstruction());
        }
        return loader.load(properties.getModel().trim());
    }

    /**
     * @param model the model bean
     * @param properties the bound properties
     * @return the Spring AI embedding model (closed with the context)
     */
    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public BgeSpringAiEmbeddingModel bge4jEmbeddingModel(BgeModel model, BgeEmbeddingProperties properties) {
        if (properties.getBatchSize() < 1) {
            throw new IllegalArgumentException(P + "batch-size must be >= 1, got " + properties.getBatchSize());
        }
        BgeSpringAiEmbeddingModel.Builder b = BgeSpringAiEmbeddingModel.builder().model(model)
                .batchSize(properties.getBatchSize()).inputMode(properties.getInputMode());
        return b.build();
    }

    /**
     * @param text {@code cpu}, {@code gpu}, {@code gpu:N} (or {@code gpuN}), or null/blank for the default
     * @return the device, or null for bge4j's default
     * @throws IllegalArgumentException for anything else, or a GPU the engine does not see
     */
    static Device parseDevice(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return Device.cpu();
        }
        String rest = t.startsWith("gpu") ? t.substring(3) : null;
        if (rest != null && rest.startsWith(":")) {
            rest = rest.substring(1);
        }
        if (rest == null || !(rest.isEmpty() || rest.chars().allMatch(Character::isDigit)) || rest.length() > 4) {
            throw new IllegalArgumentException(P + "device must be cpu, gpu or gpu:N, got '" + text + "'");
        }
        int id = rest.isEmpty() ? 0 : Integer.parseInt(rest);
        int gpus = DjlRuntime.engine().getGpuCount();
        if (id >= gpus) {
            throw new IllegalArgumentException(P + "device is '" + text + "' but the PyTorch engine sees " + gpus
                    + " GPU(s); build with -Pcuda on a machine with an NVIDIA GPU, or set " + P + "device=cpu");
        }
        return Device.gpu(id);
    }
}
