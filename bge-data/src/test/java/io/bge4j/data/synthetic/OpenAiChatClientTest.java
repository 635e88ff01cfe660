package io.bge4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenAiChatClientTest {
    private static final List<ChatMessage> HI = List.of(ChatMessage.system("be brief"), ChatMessage.user("hi"));

    private static OpenAiChatClient.Builder client(StubLlmServer s) {
        return OpenAiChatClient.builder().baseUrl(s.baseUrl()).model("stub-model").environment(k -> null)
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(200))
                .requestTimeout(Duration.ofSeconds(5));
    }

    @Test
    void sendsModelMessagesAndKeyAndReturnsContent() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.ok("hello there"))) {
            OpenAiChatClient c = OpenAiChatClient.builder().model("stub-model").temperature(0.5).maxTokens(77)
                    .environment(Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", s.baseUrl() + "/")::get)
                    .build();
            assertEquals(s.baseUrl() + "/chat/completions", c.endpoint().toString());
            assertEquals("hello there", c.complete(HI));
            JsonNode req = new ObjectMapper().readTree(s.bodies().get(0));
            assertEquals("stub-model", req.get("model").asText());
            assertEquals(2, req.get("messages").size());
            assertEquals("system", req.get("messages").get(0).get("role").asText());
            assertEquals("hi", req.get("messages").get(1).get("content").asText());
            assertEquals(0.5, req.get("temperature").asDouble());
            assertEquals(77, req.get("max_tokens").asInt());
            assertEquals("Bearer sk-test", s.authHeaders().get(0));
        }
    }

    @Test
    void retriesTwo503sThenSucceeds() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> n < 2
                ? StubLlmServer.Reply.status(503, "{\"error\":\"overloaded\"}") : StubLlmServer.Reply.ok("third time"))) {
            assertEquals("third time", client(s).maxRetries(3).build().complete(HI));
            assertEquals(3, s.requests());
            assertEquals("", s.authHeaders().get(0), "no key configured, so no Authorization header");
        }
    }

    @Test
    void backsOffOn429AndHonoursRetryAfter() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> n == 0
                ? new StubLlmServer.Reply(429, "slow down", Map.of("Retry-After", "0.3"), false)
                : StubLlmServer.Reply.ok("ok"))) {
            long t0 = System.nanoTime();
            assertEquals("ok", client(s).maxBackoff(Duration.ofSeconds(2)).build().complete(HI));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(2, s.requests());
            assertTrue(ms >= 300, "waited only " + ms + " ms despite Retry-After 0.3");
        }
        try (StubLlmServer s = new StubLlmServer((n, body) -> n == 0
                ? StubLlmServer.Reply.status(429, "slow down") : StubLlmServer.Reply.ok("ok"))) {
            long t0 = System.nanoTime();
            assertEquals("ok", client(s).initialBackoff(Duration.ofMillis(150)).build().complete(HI));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 150, "waited only " + ms + " ms, backoff is 150");
        }
    }

    @Test
    void givesUpAfterBoundedRetries() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.status(500, "boom"))) {
            LlmException e = assertThrows(LlmException.class, () -> client(s).maxRetries(2).build().complete(HI));
            assertEquals(3, s.requests());
            assertEquals(500, e.statusCode());
            assertTrue(e.getMessage().contains("after 3 attempt(s)"), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 500: boom"), e.getMessage());
        }
    }

    @Test
    void unauthorizedFailsAtOnceNamingUrlAndModel() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.status(401, "{\"error\":\"bad key\"}"))) {
            LlmException e = assertThrows(LlmException.class, () -> client(s).apiKey("wrong").build().complete(HI));
            assertEquals(1, s.requests(), "401 must not be retried");
            assertEquals(401, e.statusCode());
            assertTrue(e.getMessage().contains(s.baseUrl() + "/chat/completions"), e.getMessage());
            assertTrue(e.getMessage().contains("'stub-model'"), e.getMessage());
            assertTrue(e.getMessage().contains("OPENAI_API_KEY"), e.getMessage());
            assertTrue(e.getMessage().contains("bad key"), e.getMessage());
        }
    }

    @Test
    void notFoundExplainsBaseUrlAndModel() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.status(404, "model not found"))) {
            LlmException e = assertThrows(LlmException.class, () -> client(s).build().complete(HI));
            assertEquals(1, s.requests());
            assertTrue(e.getMessage().contains("HTTP 404 from " + s.baseUrl() + "/chat/completions"), e.getMessage());
            assertTrue(e.getMessage().contains("/v1"), e.getMessage());
            assertTrue(e.getMessage().contains("serves model 'stub-model'"), e.getMessage());
        }
    }

    @Test
    void timesOutWithinABoundedTime() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.hanging())) {
            OpenAiChatClient c = client(s).requestTimeout(Duration.ofMillis(300)).maxRetries(1).build();
            long t0 = System.nanoTime();
            LlmException e = assertThrows(LlmException.class, () -> c.complete(HI));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(-1, e.statusCode());
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
            assertTrue(e.getMessage().contains("after 2 attempt(s)"), e.getMessage());
            assertTrue(ms >= 590 && ms < 3000, "took " + ms + " ms for 2 attempts of 300 ms");
            assertEquals(2, s.requests());
        }
    }

    @Test
    void nonJsonAnswerIsAClearError() throws Exception {
        try (StubLlmServer s = new StubLlmServer((n, body) -> StubLlmServer.Reply.status(200, "<html>hi</html>"))) {
            LlmException e = assertThrows(LlmException.class, () -> client(s).build().complete(HI));
            assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        }
    }

    @Test
    void limitsConcurrency() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        try (StubLlmServer s = new StubLlmServer((n, body) -> {
            int now = inFlight.incrementAndGet();
            maxSeen.accumulateAndGet(now, Math::max);
            Thread.sleep(80);
            inFlight.decrementAndGet();
            return StubLlmServer.Reply.ok("r" + n);
        })) {
            OpenAiChatClient c = client(s).maxConcurrency(2).build();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<String>> fs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    fs.add(pool.submit(() -> c.complete(HI)));
                }
                for (Future<String> f : fs) {
                    assertTrue(f.get().startsWith("r"));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(6, s.requests());
            assertEquals(2, maxSeen.get(), "6 callers, 2 permits");
        }
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenAiChatClient.builder().environment(k -> null).build());
        assertTrue(e.getMessage().startsWith("model is required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OpenAiChatClient.builder().model("m").baseUrl("localhost:8000").build());
        assertTrue(e.getMessage().startsWith("baseUrl"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OpenAiChatClient.builder().model("m").maxConcurrency(0).build());
        assertTrue(e.getMessage().startsWith("maxConcurrency"), e.getMessage());
        assertEquals("https://api.openai.com/v1/chat/completions",
                OpenAiChatClient.builder().model("m").environment(k -> null).build().endpoint().toString());
    }
}
