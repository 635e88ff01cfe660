package io.bge4j.data.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A chat-completions stub on 127.0.0.1 (random port) whose answers a test scripts per request number. */
final class StubLlmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to send back for one request. */
    record Reply(int status, String body, Map<String, String> headers, boolean hang) {
        static Reply ok(String content) {
            try {
                return new Reply(200, JSON.writeValueAsString(Map.of("choices",
                        List.of(Map.of("message", Map.of("role", "assistant", "content", content))))), Map.of(), false);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply status(int status, String body) {
            return new Reply(status, body, Map.of(), false);
        }

        static Reply hanging() {
            return new Reply(0, "", Map.of(), true);
        }
    }

    /** Decides the reply from the 0-based request number and the request body. */
    interface Script {
        Reply reply(int requestNumber, String body) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authHeaders = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    StubLlmServer(Script script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", ex -> handle(ex, script));
        server.setExecutor(executor);
        server.start();
    }

    private void handle(HttpExchange ex, Script script) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = requests.getAndIncrement();
            bodies.add(body);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authHeaders.add(auth == null ? "" : auth);
            Reply r;
            try {
                r = script.reply(n, body);
            } catch (Exception e) {
                r = Reply.status(500, e.toString());
            }
            if (r.hang()) {
                release.await(30, TimeUnit.SECONDS);
                return;
            }
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    int requests() {
        return requests.get();
    }

    List<String> bodies() {
        return bodies;
    }

    List<String> authHeaders() {
        return authHeaders;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
