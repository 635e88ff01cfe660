package io.bge4j.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.bge4j.core.onnx.OnnxExportOptions;
import io.bge4j.core.onnx.OnnxRuntimeEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Embedder} of a {@link BgeModel}: tokenizes, sorts texts by token length so each batch
 * is padded only to its longest member, runs the encoder without gradient, pools, normalises, and
 * returns vectors in input order.
 *
 * <p>Two backends run the encoder ({@link Backend}): libtorch (the model's own weights, live) or ONNX
 * Runtime (the weights exported at {@link Builder#build()} to an in-memory fused ONNX graph; later
 * changes to the model are not seen, so build a new embedder after training steps). The default,
 * {@link Backend#AUTO}, picks ONNX Runtime when the model lives on the CPU and libtorch otherwise (a
 * CUDA libtorch beats the CPU-only ONNX Runtime build); the system property {@code bge4j.backend}
 * ({@code torch} or {@code onnx}) forces either for every embedder whose builder was left on AUTO.
 *
 * <p>Batches are length-sorted (longest first) and capped both by {@link Builder#batchSize(int)} texts and
 * by {@link Builder#tokenBudget(int)} padded tokens. Texts are tokenized in chunks on a helper thread while
 * the previous chunk is encoded. With ONNX Runtime, {@link Builder#threads(int)} batches run at once, one
 * thread each. With libtorch every batch's arrays live in a child manager closed after the batch.
 *
 * <p>Usage: {@code try (Embedder e = model.embedder().batchSize(64).build()) { e.encodeCorpus(docs); }}
 */
public final class BgeEmbedder implements Embedder {

    private static final Logger LOG = LoggerFactory.getLogger(BgeEmbedder.class);
    /** System property that forces the backend of embedders built with {@link Backend#AUTO}. */
    public static final String BACKEND_PROPERTY = "bge4j.backend";
    static final int CHUNK = 4096;

    /** Which engine runs the encoder. */
    public enum Backend {
        /** ONNX Runtime on CPU models, libtorch otherwise; {@code -Dbge4j.backend=torch|onnx} overrides. */
        AUTO,
        /** DJL's libtorch, on the model's live weights (the training engine). */
        TORCH,
        /** ONNX Runtime (CPU) on a fused ONNX graph exported from the weights when the embedder is built. */
        ONNX;

        /**
         * @param name {@code auto}, {@code torch} or {@code onnx} (case-insensitive)
         * @return the backend
         * @throws IllegalArgumentException on another name
         */
        public static Backend parse(String name) {
            for (Backend b : values()) {
                if (b.name().equalsIgnoreCase(name.trim())) {
                    return b;
                }
            }
            throw new IllegalArgumentException("unknown backend '" + name + "': expected auto, torch or onnx");
        }
    }

    /** Receives progress while a list of texts is encoded. */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * @param done texts encoded so far
         * @param total texts in this call
         */
        void onProgress(int done, int total);

        /**
         * Called after each batch, with its token count (default: {@link #onProgress(int, int)}).
         *
         * @param done texts encoded so far
         * @param total texts in this call
         * @param tokens tokens (without padding) encoded so far in this call
         */
        default void onProgress(int done, int total, long tokens) {
            onProgress(done, total);
        }
    }

    private final BgeModel model;
    private final int batchSize;
    private final int tokenBudget;
    private final int maxLength;
    private final String queryInstruction;
    private final ProgressListener listener;
    private final Backend backend;
    private final OnnxRuntimeEncoder ort;
    private final int threads;
    private final OnnxExportOptions.Precision precision;
    private final int dimension;
    private String fingerprint;

    private BgeEmbedder(Builder b, Backend resolved, OnnxRuntimeEncoder ort) {
        this.model = b.model;
        this.batchSize = b.batchSize;
        this.tokenBudget = b.tokenBudget;
        this.maxLength = b.maxLength;
        this.queryInstruction = b.queryInstruction;
        this.listener = b.listener;
        this.backend = resolved;
        this.ort = ort;
        this.precision = b.precision;
        this.threads = b.threads;
        this.dimension = b.dimension == 0 ? b.model.dimension() : b.dimension;
        if (ort != null) {
            fingerprint(); // the ONNX graph holds the weights of now: fingerprint them now too
        }
    }

    static Builder builder(BgeModel model) {
        return new Builder(model);
    }

    /**
     * Options of a {@link BgeEmbedder}; validated in {@link #build()}, which may be called again.
     *
     * <p>Usage: {@code model.embedder().batchSize(64).maxLength(256).backend(Backend.TORCH).build()}
     */
    public static final class Builder {
        private final BgeModel model;
        private int batchSize = 32;
        private int tokenBudget = 2_048;
        private int maxLength;
        private String queryInstruction;
        private ProgressListener listener = (d, t) -> { };
        private Backend backend = Backend.AUTO;
        private int threads = Runtime.getRuntime().availableProcessors();
        private OnnxExportOptions.Precision precision = OnnxExportOptions.Precision.FP32;
        private int dimension;

        private Builder(BgeModel model) {
            this.model = Objects.requireNonNull(model, "model");
            this.maxLength = model.maxLength();
            this.queryInstruction = model.queryInstruction();
        }

        /** @param batchSize at most this many texts per forward pass (default 32) @return this */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param tokens at most this many padded tokens (texts × longest) per forward pass, so batches of long
         *     texts shrink (default 2,048: such small batches ran several times faster on CPU than
         *     16,384-token ones in docs/benchmarks.md); a text longer than the budget still runs, alone
         * @return this
         */
        public Builder tokenBudget(int tokens) {
            this.tokenBudget = tokens;
            return this;
        }

        /** @param maxLength tokens per text, special tokens included (default: the model's) @return this */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** @param instruction instruction for {@link #encodeQueries} (default: the model's) @return this */
        public Builder queryInstruction(String instruction) {
            this.queryInstruction = instruction;
            return this;
        }

        /** @param listener progress callback @return this */
        public Builder progress(ProgressListener listener) {
            this.listener = listener;
            return this;
        }

        /** @param backend the engine (default {@link Backend#AUTO}) @return this */
        public Builder backend(Backend backend) {
            this.backend = backend;
            return this;
        }

        /**
         * @param threads ONNX Runtime batches run at once, each on one thread (default: available processors);
         *     whole batches in parallel need no per-operator synchronisation, which keeps throughput up when
         *     other processes share the cores
         * @return this
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * @param precision weights of the ONNX Runtime graph (default FP32; INT8 is faster and slightly less
         *     accurate, see docs/onnx.md); ignored by libtorch
         * @return this
         */
        public Builder onnxPrecision(OnnxExportOptions.Precision precision) {
            this.precision = precision;
            return this;
        }

        /**
         * Matryoshka truncation: keep the leading {@code dimension} components of every vector and, when the model
         * normalises, re-normalise them to unit length. Meant for models trained with a Matryoshka loss
         * ({@link BgeModel#matryoshkaDimensions()}); any other model can be truncated too (for a comparison), with a
         * warning, and usually loses much more quality.
         *
         * @param dimension in [1, the model's dimension]; 0 (the default) keeps the full vector
         * @return this
         */
        public Builder dimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        /** @return the embedder (with ONNX Runtime: the model's weights exported now) */
        public BgeEmbedder build() {
            if (dimension < 0 || dimension > model.dimension()) {
                throw new IllegalArgumentException("dimension must be in [1, " + model.dimension()
                        + "] (or 0 for the full vector), got " + dimension);
            }
            if (dimension != 0 && dimension != model.dimension() && !model.matryoshkaDimensions().contains(dimension)) {
                LOG.warn("truncating {} to {} dimensions, which it was not trained for ({}); expect a larger quality"
                        + " loss than with a Matryoshka-trained model", model.name(), dimension,
                        model.matryoshkaDimensions().isEmpty() ? "no Matryoshka dimensions recorded"
                                : "trained for " + model.matryoshkaDimensions());
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            if (tokenBudget < 1) {
                throw new IllegalArgumentException("tokenBudget must be >= 1, got " + tokenBudget);
            }
            if (maxLength < 2 || maxLength > model.maxLength()) {
                throw new IllegalArgumentException("maxLength must be in [2, " + model.maxLength() + "], got " + maxLength);
            }
            if (queryInstruction == null) {
                throw new IllegalArgumentException("queryInstruction must not be null (use \"\" for none)");
            }
            if (listener == null) {
                throw new IllegalArgumentException("progress listener must not be null");
            }
            if (backend == null) {
                throw new IllegalArgumentException("backend must not be null");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            if (precision == null) {
                throw new IllegalArgumentException("onnxPrecision must not be null");
            }
            Backend resolved = resolve(backend, model);
            if (backend == Backend.TORCH && precision != OnnxExportOptions.Precision.FP32) {
                throw new IllegalArgumentException("onnxPrecision " + precision + " needs the ONNX backend");
            }
            OnnxRuntimeEncoder ort = null;
            if (resolved == Backend.ONNX) {
                try {
                    ort = OnnxRuntimeEncoder.forModel(model, OnnxExportOptions.defaults().withPrecision(precision), 1);
                } catch (RuntimeException | UnsatisfiedLinkError e) {
                    if (backend == Backend.ONNX || System.getProperty(BACKEND_PROPERTY) != null) {
                        throw e;
                    }
                    LOG.warn("ONNX Runtime is not usable here ({}); falling back to libtorch", e.getMessage());
                    resolved = Backend.TORCH;
                }
            }
            return new BgeEmbedder(this, resolved, ort);
        }

        private static Backend resolve(Backend asked, BgeModel model) {
            if (asked != Backend.AUTO) {
                return asked;
            }
            String forced = System.getProperty(BACKEND_PROPERTY);
            if (forced != null && !forced.isBlank()) {
                Backend b = Backend.parse(forced);
                if (b != Backend.AUTO) {
                    return b;
                }
            }
            return model.device().isGpu() ? Backend.TORCH : Backend.ONNX;
        }
    }

    /** @return the engine this embedder runs on ({@link Backend#TORCH} or {@link Backend#ONNX}) */
    public Backend backend() {
        return backend;
    }

    @Override
    public float[][] encodeQueries(List<String> queries) {
        if (queryInstruction.isEmpty()) {
            return encode(queries);
        }
        List<String> withInstruction = new ArrayList<>(queries.size());
        for (String q : queries) {
            withInstruction.add(queryInstruction + q);
        }
        return encode(withInstruction);
    }

    @Override
    public float[][] encodeCorpus(List<String> documents) {
        return encode(documents);
    }

    @Override
    public float[][] encode(List<String> texts) {
        float[][] full = encodeFull(texts);
        if (dimension == model.dimension()) {
            return full;
        }
        for (int i = 0; i < full.length; i++) {
            full[i] = truncate(full[i], dimension, model.normalize());
        }
        return full;
    }

    /** The leading {@code d} components of {@code v}, re-normalised to unit length when {@code normalize}. */
    static float[] truncate(float[] v, int d, boolean normalize) {
        float[] out = Arrays.copyOf(v, d);
        if (normalize) {
            double sq = 0;
            for (float x : out) {
                sq += (double) x * x;
            }
            double norm = Math.sqrt(sq);
            if (norm > 0) {
                for (int j = 0; j < d; j++) {
                    out[j] = (float) (out[j] / norm);
                }
            }
        }
        return out;
    }

    private float[][] encodeFull(List<String> texts) {
        int n = texts.size();
        float[][] out = new float[n][];
        if (n == 0) {
            return out;
        }
        for (int i = 0; i < n; i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
        }
        if (n <= CHUNK) {
            encodeChunk(model.tokenizer().encode(texts, maxLength), 0, out, new long[2], n);
            return out;
        }
        // tokenize chunk k+1 on a helper thread while chunk k is encoded
        ExecutorService tokenizer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bge4j-tokenize");
            t.setDaemon(true);
            return t;
        });
        try {
            long[] progress = new long[2];
            Future<long[][]> next = tokenizer.submit(() -> model.tokenizer().encode(texts.subList(0, CHUNK), maxLength));
            for (int start = 0; start < n; start += CHUNK) {
                long[][] ids = next.get();
                int nextStart = start + CHUNK;
                if (nextStart < n) {
                    List<String> sub = texts.subList(nextStart, Math.min(n, nextStart + CHUNK));
                    next = tokenizer.submit(() -> model.tokenizer().encode(sub, maxLength));
                }
                encodeChunk(ids, start, out, progress, n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Bge4jException("interrupted while encoding", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new Bge4jException("tokenization failed: " + c, c);
        } finally {
            tokenizer.shutdownNow();
        }
        return out;
    }

    /** Encodes one tokenized chunk whose first text is {@code offset}; progress = {texts done, tokens done}. */
    private void encodeChunk(long[][] ids, int offset, float[][] out, long[] progress, int total) {
        int n = ids.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // longest first: the first batch shows the peak memory at once; ties keep input order
        Arrays.sort(order, (a, b) -> Integer.compare(ids[b].length, ids[a].length));
        List<int[]> ranges = new ArrayList<>();
        for (int start = 0; start < n; ) {
            int longest = ids[order[start]].length;
            int size = Math.max(1, Math.min(batchSize, tokenBudget / longest));
            int end = Math.min(n, start + size);
            ranges.add(new int[] {start, end});
            start = end;
        }
        List<Future<float[][]>> pending = new ArrayList<>();
        ExecutorService pool = ort != null && threads > 1 && ranges.size() > 1
                ? Executors.newFixedThreadPool(Math.min(threads, ranges.size()), r -> {
                    Thread t = new Thread(r, "bge4j-ort");
                    t.setDaemon(true);
                    return t;
                })
                : null;
        try {
            for (int[] r : ranges) {
                long[][] batch = new long[r[1] - r[0]][];
                for (int i = r[0]; i < r[1]; i++) {
                    batch[i - r[0]] = ids[order[i]];
                }
                if (pool != null) {
                    pending.add(pool.submit(() -> run(batch)));
                } else {
                    place(r, run(batch), ids, order, offset, out, progress, total);
                }
            }
            for (int k = 0; k < pending.size(); k++) {
                place(ranges.get(k), pending.get(k).get(), ids, order, offset, out, progress, total);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Bge4jException("interrupted while encoding", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new Bge4jException("encoding failed: " + c, c);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private void place(int[] r, float[][] vectors, long[][] ids, Integer[] order, int offset, float[][] out,
            long[] progress, int total) {
        long tokens = 0;
        for (int i = r[0]; i < r[1]; i++) {
            out[offset + order[i]] = vectors[i - r[0]];
            tokens += ids[order[i]].length;
        }
        progress[0] += r[1] - r[0];
        progress[1] += tokens;
        listener.onProgress((int) progress[0], total, progress[1]);
    }

    private float[][] run(long[][] batch) {
        if (ort != null) {
            return ort.embed(batch);
        }
        try (NDManager m = model.manager().newSubManager()) {
            NDArray emb = model.embed(m, batch, false);
            float[] flat = emb.getDataType() == DataType.FLOAT32 ? emb.toFloatArray()
                    : emb.toType(DataType.FLOAT32, false).toFloatArray();
            int dim = model.dimension();
            float[][] v = new float[batch.length][];
            for (int i = 0; i < batch.length; i++) {
                v[i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
            }
            return v;
        }
    }

    /**
     * Pads id sequences to the longest (right padding) and builds the attention mask.
     *
     * @param m owner of the arrays
     * @param ids token ids per text
     * @param padId the padding id
     * @return {input_ids, attention_mask}, int64 [batch, longest]
     */
    public static NDArray[] pad(NDManager m, long[][] ids, int padId) {
        int longest = 1;
        for (long[] s : ids) {
            longest = Math.max(longest, s.length);
        }
        long[] flat = new long[ids.length * longest];
        long[] mask = new long[flat.length];
        Arrays.fill(flat, padId);
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * longest, ids[i].length);
            Arrays.fill(mask, i * longest, i * longest + ids[i].length, 1L);
        }
        Shape s = new Shape(ids.length, longest);
        return new NDArray[] {m.create(flat, s), m.create(mask, s)};
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update((model.config().toJson().toString() + "|" + model.pooling() + "|" + model.normalize() + "|"
                        + queryInstruction + "|" + maxLength + (dimension == model.dimension() ? "" : "|dim-" + dimension)
                        + (ort == null ? "" : "|onnx-" + precision)).getBytes(StandardCharsets.UTF_8));
                md.update(model.tokenizer().tokenizerJson());
                for (NDArray p : model.parameters().values()) {
                    ByteBuffer bb = p.toByteBuffer();
                    md.update(bb);
                }
                fingerprint = HexFormat.of().formatHex(md.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return fingerprint;
    }

    /** Frees the ONNX Runtime session, if any; the model, not the embedder, owns the libtorch weights. */
    @Override
    public void close() {
        if (ort != null) {
            ort.close();
        }
    }
}
