package io.bge4j.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link BgeEmbeddingAutoConfiguration} under Spring Boot's {@link ApplicationContextRunner}: properties in, a working
 * Spring AI {@code EmbeddingModel} out, clear startup failures for bad properties. A tiny random model saved to a
 * temporary directory stands in for a fine-tuned model directory; one test loads the embedded preset. No network.
 */
class BgeEmbeddingAutoConfigurationTest {

    @TempDir
    static Path tmp;
    private static Path modelDir;
    private static BgeModel saved;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BgeEmbeddingAutoConfiguration.class));

    @BeforeAll
    static void saveTinyModel() {
        saved = TinyModels.bert(BgeSpringAiEmbeddingModelTest.TEXTS, 5, 0.0);
        modelDir = tmp.resolve("tiny-model");
        saved.save(modelDir);
    }

    @AfterAll
    static void close() {
        saved.close();
    }

    @Test
    void propertiesConfigureTheModelDirectoryBatchSizeModeAndInstruction() {
        runner.withPropertyValues("bge4j.embedding.model=" + modelDir, "bge4j.embedding.device=cpu",
                "bge4j.embedding.batch-size=2", "bge4j.embedding.input-mode=query",
                "bge4j.embedding.query-instruction=find:").run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(EmbeddingModel.class).hasSingleBean(BgeModel.class);
                    BgeSpringAiEmbeddingModel m = ctx.getBean(BgeSpringAiEmbeddingModel.class);
                    assertEquals(BgeInputMode.QUERY, m.inputMode());
                    assertEquals(32, ctx.getBean(EmbeddingModel.class).dimensions());
                    assertEquals("find:", ctx.getBean(BgeModel.class).queryInstruction());
                    List<String> texts = BgeSpringAiEmbeddingModelTest.TEXTS;
                    EmbeddingResponse r = m.call(new EmbeddingRequest(texts, null));
                    try (Embedder e = saved.embedder().queryInstruction("find:").build()) {
                        float[][] want = e.encodeQueries(texts);
                        for (int i = 0; i < texts.size(); i++) {
                            assertArrayEquals(want[i], r.getResults().get(i).getOutput(), 1e-5f, "text " + i);
                        }
                    }
                });
    }

    @Test
    void theDefaultIsTheEmbeddedBgeSmallEnPresetInAutoMode() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            BgeSpringAiEmbeddingModel m = ctx.getBean(BgeSpringAiEmbeddingModel.class);
            assertEquals(BgeInputMode.AUTO, m.inputMode());
            assertEquals("bge-small-en-v1.5", m.modelName());
            assertEquals(384, m.dimensions());
        });
    }

    @Test
    void badPropertiesFailStartupNamingTheProperty() {
        runner.withPropertyValues("bge4j.embedding.model=" + modelDir, "bge4j.embedding.batch-size=0")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("bge4j.embedding.batch-size must be >= 1, got 0"));
        runner.withPropertyValues("bge4j.embedding.model=" + modelDir, "bge4j.embedding.device=tpu")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("bge4j.embedding.device must be cpu, gpu or gpu:N, got 'tpu'"));
        runner.withPropertyValues("bge4j.embedding.model=" + modelDir, "bge4j.embedding.device=gpu:7")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("GPU(s)"));
        runner.withPropertyValues("bge4j.embedding.model=" + tmp.resolve("missing"))
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("neither a model directory nor a known preset"));
        runner.withPropertyValues("bge4j.embedding.model=" + modelDir, "bge4j.embedding.input-mode=sideways")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().hasStackTraceContaining("bge4j.embedding.input-mode"));
    }

    @Test
    void backsOffForAnotherProviderOrTheApplicationsOwnBeans() {
        runner.withPropertyValues("spring.ai.model.embedding=openai", "bge4j.embedding.model=" + modelDir)
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(EmbeddingModel.class)
                        .doesNotHaveBean(BgeModel.class));
        runner.withPropertyValues("spring.ai.model.embedding=bge4j", "bge4j.embedding.model=" + modelDir)
                .run(ctx -> assertThat(ctx).hasSingleBean(BgeSpringAiEmbeddingModel.class));
        // an application that fine-tuned a model in-process hands it over as a bean; the property is then unused
        runner.withPropertyValues("bge4j.embedding.model=" + tmp.resolve("missing"))
                .withBean(BgeModel.class, () -> TinyModels.bert(List.of("own model"), 3, 0.0))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertEquals("tiny-bert", ctx.getBean(BgeSpringAiEmbeddingModel.class).modelName());
                });
        runner.withBean("myEmbeddingModel", EmbeddingModel.class,
                () -> BgeSpringAiEmbeddingModel.builder().model(saved).modelName("mine").build())
                .withPropertyValues("bge4j.embedding.model=" + modelDir)
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(EmbeddingModel.class).doesNotHaveBean(BgeModel.class);
                    assertEquals("mine", ((BgeSpringAiEmbeddingModel) ctx.getBean(EmbeddingModel.class)).modelName());
                });
    }
}
