package io.bge4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.synthetic.ChatMessage;
import io.bge4j.data.synthetic.GenerationCache;
import io.bge4j.data.synthetic.LlmClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmParaphraserTest {

    static final class Fake implements LlmClient {
        final List<String> prompts = new ArrayList<>();
        final Function<String, String> f;

        Fake(Function<String, String> f) {
            this.f = f;
        }

        @Override
        public String complete(List<ChatMessage> messages) {
            prompts.add(messages.get(0).content());
            return f.apply(messages.get(0).content());
        }

        @Override
        public String model() {
            return "fake";
        }
    }

    static final TrainingSet REAL = TrainingSet.of("real", List.of(TrainingExample.builder().query("reset password")
            .positives(List.of("Use passwd.")).source("real").build()));

    @Test
    void paraphrasesDropTheOriginalAndAreTagged(@TempDir Path dir) {
        Fake llm = new Fake(p -> "1. reset pw\n2. Reset Password\n3. forgot password");
        LlmParaphraser para = LlmParaphraser.builder().client(llm).variantsPerExample(3)
                .cache(GenerationCache.open(dir)).build();
        TrainingSet out = para.augment(REAL);
        assertEquals(List.of(LlmParaphraser.paraphrasePrompt("reset password", 3)), llm.prompts);
        assertEquals(List.of("reset pw", "forgot password"), out.stream().map(TrainingExample::query).toList());
        assertEquals("real+paraphrase", out.get(0).source());
        assertEquals(List.of("Use passwd."), out.get(0).positives());
        para.augment(REAL);
        assertEquals(1, llm.prompts.size(), "second run served from the cache");
    }

    @Test
    void backTranslationGoesThroughThePivot() {
        Fake llm = new Fake(p -> p.contains("into German") ? "Passwort zurücksetzen" : "\"reset the password\"");
        TrainingSet out = LlmParaphraser.builder().client(llm).mode(LlmParaphraser.Mode.BACK_TRANSLATION).build()
                .augment(REAL);
        assertEquals(List.of(LlmParaphraser.translationPrompt("reset password", "German"),
                LlmParaphraser.translationPrompt("Passwort zurücksetzen", "English")), llm.prompts);
        assertEquals(List.of("reset the password"), out.stream().map(TrainingExample::query).toList());
        assertEquals("real+back-translation", out.get(0).source());
        assertEquals("back-translation", out.get(0).type());
    }
}
