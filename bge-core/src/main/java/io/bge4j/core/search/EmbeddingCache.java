package io.bge4j.core.search;

import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Corpus embeddings cached on disk, one file per (embedder fingerprint, corpus texts) pair, so that
 * evaluating several checkpoints, or the same checkpoint twice, re-encodes nothing it need not.
 *
 * <p>The key is the SHA-256 of the fingerprint and of every text (length-prefixed, in order), so a
 * changed, added, removed or reordered text, or a different model, gives a different file. Files
 * are written to a temporary file in the cache directory and atomically moved into place, so a
 * reader never sees a half-written file; a file that fails its header/size checks is ignored
 * (and logged) and recomputed.
 *
 * <p>File layout ({@code <key>.emb}): the 8 ASCII bytes {@code BGE4JEMB}, int32 format version (1),
 * int32 rows, int32 dimension, then {@code rows × dimension} float32 values, all little-endian.
 *
 * <p>Usage:
 * <pre>{@code
 * EmbeddingCache cache = EmbeddingCache.in(Path.of("runs/cache"));
 * EmbeddingMatrix docs = cache.getOrCompute(embedder.fingerprint(), texts, embedder::encodeCorpus);
 * }</pre>
 */
public final class EmbeddingCache {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);
    private static final byte[] MAGIC = "BGE4JEMB".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = MAGIC.length + 3 * Integer.BYTES;
    private static final String SUFFIX = ".emb";

    private final Path directory;

    private EmbeddingCache(Path directory) {
        this.directory = directory;
    }

    /**
     * @param directory where cache files live; created on first write
     * @return the cache
     */
    public static EmbeddingCache in(Path directory) {
        return new EmbeddingCache(Objects.requireNonNull(directory, "directory"));
    }

    /** @return the cache directory */
    public Path directory() {
        return directory;
    }

    /**
     * @param fingerprint the embedder's {@code fingerprint()}
     * @param texts the corpus texts exactly as they are encoded, in order
     * @return a 64-character hex key
     */
    public static String key(String fingerprint, List<String> texts) {
        MessageDigest sha = sha256();
        update(sha, "bge4j-embedding-cache-v1");
        update(sha, fingerprint);
        ByteBuffer count = ByteBuffer.allocate(Long.BYTES).putLong(texts.size());
        sha.update(count.array());
        for (String t : texts) {
            update(sha, t);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * @param key a key from {@link #key(String, List)}
     * @return the path of that key's file (which may not exist)
     */
    public Path pathOf(String key) {
        return directory.resolve(key + SUFFIX);
    }

    /**
     * @param key a key from {@link #key(String, List)}
     * @return the cached matrix, or empty when absent or unreadable
     */
    public Optional<EmbeddingMatrix> load(String key) {
        Path file = pathOf(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, header);
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            int version = header.getInt();
            int rows = header.getInt();
            int dim = header.getInt();
            long expected = HEADER_BYTES + (long) rows * dim * Float.BYTES;
            if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION || rows < 0 || dim <= 0
                    || ch.size() != expected || (long) rows * dim > Integer.MAX_VALUE - 8) {
                LOG.warn("ignoring unreadable embedding cache file {} (bad header or size {}, expected {})",
                        file, ch.size(), expected);
                return Optional.empty();
            }
            float[] data = new float[rows * dim];
            ByteBuffer block = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer target = FloatBuffer.wrap(data);
            while (target.hasRemaining()) {
                block.clear();
                int bytes = Math.min(block.capacity(), target.remaining() * Float.BYTES);
                block.limit(bytes);
                readFully(ch, block);
                block.flip();
                target.put(block.asFloatBuffer());
            }
            LOG.debug("loaded {} x {} embeddings from {}", rows, dim, file);
            return Optional.of(EmbeddingMatrix.wrap(data, dim));
        } catch (IOException e) {
            LOG.warn("ignoring unreadable embedding cache file {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Writes a matrix atomically under {@code key}.
     *
     * @param key a key from {@link #key(String, List)}
     * @param matrix the embeddings
     * @return the file written
     */
    public Path store(String key, EmbeddingMatrix matrix) {
        Path file = pathOf(key);
        Path tmp = null;
        try {
            Files.createDirectories(directory);
            tmp = AtomicFiles.newTempSibling(file);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                header.put(MAGIC).putInt(VERSION).putInt(matrix.rows()).putInt(Math.max(1, matrix.dimension()));
                header.flip();
                writeFully(ch, header);
                int dim = matrix.dimension();
                int rowsPerBlock = dim == 0 ? 1 : Math.max(1, (1 << 20) / (dim * Float.BYTES));
                ByteBuffer block = ByteBuffer.allocateDirect(Math.max(1, rowsPerBlock * dim * Float.BYTES))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int r = 0; r < matrix.rows(); r += rowsPerBlock) {
                    int n = Math.min(rowsPerBlock, matrix.rows() - r);
                    block.clear();
                    block.limit(n * dim * Float.BYTES);
                    matrix.copyRows(r, n, block.asFloatBuffer());
                    writeFully(ch, block);
                }
                ch.force(true);
            }
            AtomicFiles.moveIntoPlace(tmp, file);
            tmp = null;
            LOG.debug("cached {} x {} embeddings in {}", matrix.rows(), matrix.dimension(), file);
            return file;
        } catch (IOException e) {
            throw new Bge4jException("could not write embedding cache file " + file + ": " + e.getMessage()
                    + "; check that the cache directory is writable and has space", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * Returns the cached embeddings of {@code texts} for this fingerprint, computing and storing them
     * on a miss.
     *
     * @param fingerprint the embedder's fingerprint
     * @param texts the texts, in order
     * @param encoder computes the embeddings on a miss (for example {@code embedder::encodeCorpus})
     * @return the embeddings, one row per text
     */
    public EmbeddingMatrix getOrCompute(String fingerprint, List<String> texts,
                                        Function<List<String>, float[][]> encoder) {
        String key = key(fingerprint, texts);
        Optional<EmbeddingMatrix> hit = load(key);
        if (hit.isPresent() && hit.get().rows() == texts.size()) {
            LOG.info("embedding cache hit: {} texts from {}", texts.size(), pathOf(key));
            return hit.get();
        }
        LOG.info("embedding cache miss: encoding {} texts", texts.size());
        EmbeddingMatrix computed = EmbeddingMatrix.of(encoder.apply(texts));
        if (computed.rows() != texts.size()) {
            throw new Bge4jException("the encoder returned " + computed.rows() + " vectors for "
                    + texts.size() + " texts; it must return exactly one vector per text");
        }
        store(key, computed);
        return computed;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static void update(MessageDigest sha, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
