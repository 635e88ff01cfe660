package io.bge4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryGeneratorTest {

    /** Records prompts and answers from a function of the prompt. */
    static final class FakeLlm implements LlmClient {
        final List<String> prompts = new CopyOnWriteArrayList<>();
        final java.util.function.Function<String, String> answer;

        FakeLlm(java.util.function.Function<String, String> answer) {
            this.answer = answer;
        }

        @Override
        public String complete(List<ChatMessage> messages) {
            assertEquals(1, messages.size());
            assertEquals("user", messages.get(0).role());
            prompts.add(messages.get(0).content());
            return answer.apply(messages.get(0).content());
        }

        @Override
        public String model() {
            return "fake";
        }
    }

    static final List<FewShotPair> POOL = List.of(
            new FewShotPair("reset password linux", "passwd changes a user's password."),
            new FewShotPair("reset password linux root", "Boot into single-user mode to reset root."),
            new FewShotPair("install nginx ubuntu", "apt install nginx installs the web server."),
            new FewShotPair("如何 安装 软件", "使用 apt install 安装软件包。"),
            new FewShotPair("更新 系统", "apt upgrade 会升级所有已安装的软件包。"));

    @Test
    void picksSameLanguageShotsAndNeverThePassageItself() {
        QueryGenerator g = QueryGenerator.builder().client(new FakeLlm(p -> "")).fewShotPairs(POOL).shots(2).build();
        Set<FewShotPair> zh = new HashSet<>(g.selectShots("卸载软件包的方法是 apt remove。"));
        assertEquals(Set.of(POOL.get(3), POOL.get(4)), zh);
        // the pool pair about this very passage is never shown; only one other Chinese pair is left,
        // so one English pair fills the second slot
        List<FewShotPair> shots = g.selectShots("使用 apt install 安装软件包。");
        assertEquals(2, shots.size());
        assertFalse(shots.contains(POOL.get(3)));
        assertEquals(POOL.get(4), shots.get(0));
    }

    @Test
    void spreadsShotsOverDifferentQueries() {
        // q0 and q1 share 3 of 4 words; whatever is picked first, the second pick avoids the near twin
        for (int seed = 0; seed < 30; seed++) {
            QueryGenerator g = QueryGenerator.builder().client(new FakeLlm(p -> "")).fewShotPairs(POOL.subList(0, 3))
                    .shots(2).seed(seed).build();
            Set<FewShotPair> shots = new HashSet<>(g.selectShots("The apt tool manages packages " + seed));
            assertEquals(2, shots.size());
            assertFalse(shots.containsAll(List.of(POOL.get(0), POOL.get(1))), "seed " + seed + ": " + shots);
        }
    }

    @Test
    void generatesTaggedExamplesAndKeepsThePrompt() {
        FakeLlm llm = new FakeLlm(p -> p.contains("purge")
                ? "Here you go:\n1. how to purge apt\n2. apt purge config\n3. extra one\nThanks" : "nothing useful:");
        QueryGenerator g = QueryGenerator.builder().client(llm).fewShotPairs(POOL).shots(2).queriesPerPassage(2)
                .build();
        String purge = "Use apt purge to delete configuration files too.";
        String other = "Ubuntu releases come out every six months.";
        GenerationResult r = g.generate(List.of(purge, other));
        assertEquals(2, r.passages());
        assertEquals(2, r.llmCalls());
        assertEquals(0, r.cacheHits());
        assertEquals(1, r.passagesWithoutQueries());
        assertEquals(List.of(g.promptFor(purge), g.promptFor(other)), llm.prompts);
        assertEquals(List.of("how to purge apt", "apt purge config"), r.queries().stream().map(GeneratedQuery::query).toList());
        for (GeneratedQuery q : r.queries()) {
            assertEquals(purge, q.passage());
            assertEquals(g.promptFor(purge), q.prompt());
            assertEquals("fake", q.model());
            assertFalse(q.fromCache());
        }
        TrainingSet set = r.trainingSet();
        assertEquals(2, set.size());
        TrainingExample e = set.get(0);
        assertEquals("how to purge apt", e.query());
        assertEquals(List.of(purge), e.positives());
        assertEquals("synthetic", e.source());
        assertEquals("synthetic", e.type());
        assertNull(e.prompt(), "the generation prompt must not become the query instruction");
    }

    @Test
    void parallelRunKeepsPassageOrder() {
        FakeLlm llm = new FakeLlm(p -> {
            String passage = p.substring(p.lastIndexOf("Passage: ") + 9, p.indexOf("\n\nAnswer"));
            return "[\"q for " + passage + "\"]";
        });
        QueryGenerator g = QueryGenerator.builder().client(llm).shots(0).queriesPerPassage(1).parallelism(4).build();
        List<String> passages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            passages.add("passage number " + i);
        }
        GenerationResult r = g.generate(passages);
        for (int i = 0; i < 20; i++) {
            assertEquals("q for passage number " + i, r.queries().get(i).query());
        }
    }

    @Test
    void secondRunIsServedFromCacheWithoutHttpCalls(@TempDir Path dir) throws Exception {
        List<String> passages = List.of("apt update refreshes the package lists.", "apt upgrade installs new versions.");
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.ok("1. query " + n + " a\n2. query " + n + " b"))) {
            GenerationCache cache = GenerationCache.open(dir.resolve("cache"));
            OpenAiChatClient client = OpenAiChatClient.builder().baseUrl(s.baseUrl()).model("stub")
                    .environment(k -> null).initialBackoff(Duration.ofMillis(5)).build();
            GenerationResult first = QueryGenerator.builder().client(client).fewShotPairs(POOL).shots(1)
                    .queriesPerPassage(2).cache(cache).build().generate(passages);
            assertEquals(2, s.requests());
            assertEquals(2, first.llmCalls());
            try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
                assertEquals(2, files.filter(f -> f.toString().endsWith(".json")).count());
            }
            GenerationResult second = QueryGenerator.builder().client(client).fewShotPairs(POOL).shots(1)
                    .queriesPerPassage(2).cache(GenerationCache.open(dir.resolve("cache"))).build().generate(passages);
            assertEquals(2, s.requests(), "the second run must not call the server");
            assertEquals(0, second.llmCalls());
            assertEquals(2, second.cacheHits());
            assertEquals(first.queries().stream().map(GeneratedQuery::query).toList(),
                    second.queries().stream().map(GeneratedQuery::query).toList());
            assertTrue(second.queries().get(0).fromCache());
            // another model does not share answers
            OpenAiChatClient other = OpenAiChatClient.builder().baseUrl(s.baseUrl()).model("stub-2")
                    .environment(k -> null).build();
            QueryGenerator.builder().client(other).fewShotPairs(POOL).shots(1).cache(cache).build().generate(passages);
            assertEquals(4, s.requests());
        }
    }

    @Test
    void crashMidRunLosesNoFinishedGeneration(@TempDir Path dir) {
        List<String> passages = List.of("first passage text", "second passage text", "third passage text");
        GenerationCache cache = GenerationCache.open(dir);
        FakeLlm failing = new FakeLlm(p -> {
            if (p.contains("second")) {
                throw new LlmException("server went away", -1, null);
            }
            return "[\"a query\"]";
        });
        assertThrows(LlmException.class, () -> QueryGenerator.builder().client(failing).shots(0).cache(cache).build()
                .generate(passages));
        assertEquals(2, failing.prompts.size());
        FakeLlm working = new FakeLlm(p -> "[\"a query\"]");
        GenerationResult r = QueryGenerator.builder().client(working).shots(0).cache(cache).build().generate(passages);
        assertEquals(2, working.prompts.size(), "only the unfinished passages are asked again");
        assertEquals(1, r.cacheHits());
        assertEquals(3, r.queries().size());
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QueryGenerator.builder().client(new FakeLlm(p -> "")).build());
        assertTrue(e.getMessage().startsWith("shots is 4 but no few-shot examples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QueryGenerator.builder().build());
        assertTrue(e.getMessage().startsWith("client is required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> QueryGenerator.builder().client(new FakeLlm(p -> "")).shots(0).queriesPerPassage(0).build());
        assertTrue(e.getMessage().startsWith("queriesPerPassage"), e.getMessage());
    }
}
