package io.bge4j.data.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An on-disk store of LLM answers keyed by SHA-256 of (model, prompt, passage): one small JSON
 * file per key under a two-character fan-out directory, written to a temporary file and atomically
 * moved into place. A finished generation is therefore on disk the moment it returns, a crash loses
 * at most the calls still in flight, and a half-written file is never read. Safe for concurrent
 * use by several threads and processes.
 *
 * <p>Usage: {@code GenerationCache cache = GenerationCache.open(Path.of("runs/llm-cache"));}
 */
public final class GenerationCache {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;

    private GenerationCache(Path directory) {
        this.directory = directory;
    }

    /**
     * @param directory where the entries live (created when missing)
     * @return the cache
     */
    public static GenerationCache open(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new Bge4jException("cannot create the LLM cache directory " + directory + ": " + e.getMessage()
                    + "; choose a writable directory", e);
        }
        return new GenerationCache(directory);
    }

    /** @return the directory */
    public Path directory() {
        return directory;
    }

    /**
     * @param model the model name
     * @param prompt the full prompt text
     * @param passage the passage the prompt is about
     * @return the hex SHA-256 key
     */
    public static String key(String model, String prompt, String passage) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {model, prompt, passage}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) ':');
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * @param model the model name
     * @param prompt the full prompt text
     * @param passage the passage
     * @return the cached answer, if any (an unreadable entry counts as missing and is logged)
     */
    public Optional<String> get(String model, String prompt, String passage) {
        Path file = file(key(model, prompt, passage));
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            JsonNode answer = node == null ? null : node.get("answer");
            if (answer != null && answer.isTextual()) {
                return Optional.of(answer.asText());
            }
            LOG.warn("ignoring LLM cache entry {} without an 'answer' field", file);
        } catch (IOException e) {
            LOG.warn("ignoring unreadable LLM cache entry {}: {}", file, e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Stores an answer (atomically; an existing entry for the same key is replaced).
     *
     * @param model the model name
     * @param prompt the full prompt text
     * @param passage the passage
     * @param answer the raw answer
     */
    public void put(String model, String prompt, String passage, String answer) {
        String key = key(model, prompt, passage);
        Path file = file(key);
        ObjectNode node = JSON.createObjectNode();
        node.put("model", model).put("passage", passage).put("prompt", prompt).put("answer", answer);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = AtomicFiles.newTempSibling(file);
            try {
                Files.write(tmp, JSON.writeValueAsBytes(node));
                AtomicFiles.moveIntoPlace(tmp, file);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot write LLM cache entry " + file + ": " + e.getMessage()
                    + "; check free space and permissions of " + directory, e);
        }
    }

    private Path file(String key) {
        return directory.resolve(key.substring(0, 2)).resolve(key + ".json");
    }
}
