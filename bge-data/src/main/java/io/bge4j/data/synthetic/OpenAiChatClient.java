package io.bge4j.data.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link LlmClient} for any server that speaks the OpenAI chat-completions protocol
 * ({@code POST <baseUrl>/chat/completions}): OpenAI itself, vLLM, Ollama ({@code /v1}), llama.cpp
 * server. Uses only {@code java.net.http}.
 *
 * <p>Behaviour: at most {@link Builder#maxConcurrency(int)} requests are in flight at once (further
 * callers wait); a 429, any 5xx, a timeout or a dropped connection is retried up to
 * {@link Builder#maxRetries(int)} times with exponential backoff (initial, ×2 each time, capped;
 * a {@code Retry-After} header in seconds is honoured up to the cap); 401/403 and 404 fail at once
 * with a message naming the URL and model. Thread-safe; holds no static state.
 *
 * <p>Usage:
 * <pre>{@code
 * LlmClient llm = OpenAiChatClient.builder()
 *     .baseUrl("http://localhost:8000/v1").model("Qwen2.5-7B-Instruct")   // or OPENAI_BASE_URL
 *     .apiKey(System.getenv("OPENAI_API_KEY"))                            // optional for local servers
 *     .requestTimeout(Duration.ofSeconds(60)).maxRetries(3).maxConcurrency(8)
 *     .build();
 * String answer = llm.complete(List.of(ChatMessage.user("Say hi")));
 * }</pre>
 */
public final class OpenAiChatClient implements LlmClient {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The base URL used when neither the builder nor {@code OPENAI_BASE_URL} gives one. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double temperature;
    private final int maxTokens;
    private final Semaphore permits;
    private final HttpClient http;

    private OpenAiChatClient(Builder b, String baseUrl, String key) {
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.endpoint = URI.create(trimmed + "/chat/completions");
        this.model = b.model;
        this.apiKey = key;
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
        this.permits = new Semaphore(b.maxConcurrency, true);
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** @return a builder; only {@link Builder#model(String)} is required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String model() {
        return model;
    }

    /** @return the full chat-completions URL this client posts to */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String complete(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        byte[] body = requestBody(messages);
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null && !apiKey.isBlank()) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest request = rb.build();
        String lastProblem = null;
        int lastStatus = -1;
        Throwable lastCause = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            Duration retryAfter = null;
            HttpResponse<String> response;
            try {
                permits.acquire();
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } finally {
                    permits.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmException("interrupted while calling " + endpoint, -1, e);
            } catch (HttpTimeoutException e) {
                lastStatus = -1;
                lastCause = e;
                lastProblem = "no answer within " + describe(requestTimeout) + " (timeout)";
                response = null;
            } catch (IOException e) {
                lastStatus = -1;
                lastCause = e;
                lastProblem = "connection failed: " + e;
                response = null;
            }
            if (response != null) {
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return parseContent(response.body());
                }
                lastStatus = status;
                lastCause = null;
                lastProblem = "HTTP " + status + ": " + snippet(response.body());
                if (status == 401 || status == 403) {
                    throw new LlmException("HTTP " + status + " from " + endpoint + " for model '" + model
                            + "': the server rejected the API key; set it with apiKey(...) or the OPENAI_API_KEY "
                            + "environment variable (" + (apiKey == null ? "no key was sent" : "a key was sent")
                            + "). Server said: " + snippet(response.body()), status, null);
                }
                if (status == 404) {
                    throw new LlmException("HTTP 404 from " + endpoint + " for model '" + model
                            + "': check that the base URL is the API root (usually ending in /v1, e.g. "
                            + "http://localhost:8000/v1) and that the server serves model '" + model
                            + "'. Server said: " + snippet(response.body()), status, null);
                }
                if (status != 429 && status < 500) {
                    throw new LlmException("HTTP " + status + " from " + endpoint + " for model '" + model
                            + "'; the request was refused and is not retried. Server said: "
                            + snippet(response.body()), status, null);
                }
                retryAfter = retryAfter(response);
            }
            if (attempt < maxRetries) {
                Duration wait = backoff(attempt, retryAfter);
                LOG.warn("LLM call to {} failed ({}); retry {}/{} in {} ms", endpoint, lastProblem, attempt + 1,
                        maxRetries, wait.toMillis());
                sleep(wait);
            }
        }
        throw new LlmException("LLM call to " + endpoint + " (model '" + model + "') failed after "
                + (maxRetries + 1) + " attempt(s); last problem: " + lastProblem
                + ". Check that the server is up and not overloaded, or raise maxRetries/requestTimeout.",
                lastStatus, lastCause);
    }

    private byte[] requestBody(List<ChatMessage> messages) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        ArrayNode arr = root.putArray("messages");
        for (ChatMessage m : messages) {
            arr.addObject().put("role", m.role()).put("content", m.content());
        }
        root.put("temperature", temperature);
        root.put("max_tokens", maxTokens);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new LlmException("cannot serialise the chat request: " + e.getMessage(), -1, e);
        }
    }

    private String parseContent(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new LlmException("the answer from " + endpoint + " is not JSON: " + snippet(body)
                    + "; is the base URL an OpenAI-compatible API?", 200, e);
        }
        JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new LlmException("the answer from " + endpoint + " has no choices[0].message.content: "
                    + snippet(body) + "; is the base URL an OpenAI-compatible chat-completions API?", 200, null);
        }
        return content.asText();
    }

    private Duration backoff(int attempt, Duration retryAfter) {
        long base = initialBackoff.toMillis();
        long ms = base << Math.min(attempt, 30);
        if (ms < 0 || ms > maxBackoff.toMillis()) {
            ms = maxBackoff.toMillis();
        }
        if (retryAfter != null) {
            ms = Math.max(ms, Math.min(retryAfter.toMillis(), maxBackoff.toMillis()));
        }
        return Duration.ofMillis(ms);
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        Optional<String> h = response.headers().firstValue("Retry-After");
        if (h.isEmpty()) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(h.get().trim()) * 1000));
        } catch (NumberFormatException e) {
            return null; // an HTTP date: fall back to our own backoff
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException("interrupted while waiting to retry an LLM call", -1, e);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() + " ms";
    }

    private static String snippet(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty body)";
        }
        String s = body.replaceAll("\\s+", " ").trim();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    /**
     * Options of an {@link OpenAiChatClient}; {@link #build()} checks them and names the bad one.
     *
     * <p>Usage: {@code OpenAiChatClient.builder().model("gpt-4o-mini").build()}
     */
    public static final class Builder {
        private String baseUrl;
        private String model;
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(120);
        private int maxRetries = 4;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private int maxConcurrency = 4;
        private double temperature = 0.8;
        private int maxTokens = 512;
        private Function<String, String> environment = System::getenv;

        private Builder() {
        }

        /**
         * @param baseUrl the API root, e.g. {@code http://localhost:8000/v1}; default
         *     {@code OPENAI_BASE_URL}, else {@value OpenAiChatClient#DEFAULT_BASE_URL}
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * @param model the model name the server knows (required)
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * @param apiKey the bearer token; default {@code OPENAI_API_KEY}; none is sent when absent
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * @param connectTimeout how long to wait for a TCP connection (default 10 s)
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * @param requestTimeout how long to wait for one whole answer (default 120 s)
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * @param maxRetries retries after the first attempt for 429, 5xx, timeouts and dropped
         *     connections (default 4; 0 disables retrying)
         * @return this builder
         */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * @param initialBackoff the wait before the first retry; doubles each time (default 1 s)
         * @return this builder
         */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        /**
         * @param maxBackoff the longest wait between attempts, also for {@code Retry-After} (default 60 s)
         * @return this builder
         */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /**
         * @param maxConcurrency the most requests in flight at once (default 4)
         * @return this builder
         */
        public Builder maxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /**
         * @param temperature sampling temperature sent to the server (default 0.8)
         * @return this builder
         */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * @param maxTokens answer length limit sent to the server (default 512)
         * @return this builder
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * @param environment where {@code OPENAI_API_KEY} / {@code OPENAI_BASE_URL} are looked up
         *     (default {@code System::getenv}; tests pass a map's {@code get})
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = environment;
            return this;
        }

        /**
         * @return the client
         * @throws IllegalArgumentException naming the bad option
         */
        public OpenAiChatClient build() {
            if (environment == null) {
                throw new IllegalArgumentException("environment must not be null");
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("model is required; call model(\"name-the-server-knows\")");
            }
            String url = baseUrl != null ? baseUrl : environment.apply("OPENAI_BASE_URL");
            if (url == null || url.isBlank()) {
                url = DEFAULT_BASE_URL;
            }
            url = url.trim();
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("baseUrl must start with http:// or https://, was '" + url + "'");
            }
            try {
                URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("baseUrl is not a valid URL: '" + url + "'", e);
            }
            checkPositive(connectTimeout, "connectTimeout");
            checkPositive(requestTimeout, "requestTimeout");
            checkPositive(initialBackoff, "initialBackoff");
            checkPositive(maxBackoff, "maxBackoff");
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
            }
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("maxConcurrency must be >= 1, was " + maxConcurrency);
            }
            if (!(temperature >= 0 && temperature <= 2)) {
                throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
            }
            String key = apiKey != null ? apiKey : environment.apply("OPENAI_API_KEY");
            return new OpenAiChatClient(this, url, key);
        }

        private static void checkPositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
            }
        }
    }
}
