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

/**
 * The {@link Embedder} of a {@link BgeModel}: tokenizes, sorts texts by token length so each batch
 * is padded only to its longest member, runs the encoder without gradient, pools, normalises, and
 * returns vectors in input order. Every batch's arrays live in a child manager closed after the batch.
 *
 * <p>Usage: {@code try (Embedder e = model.embedder().batchSize(64).build()) { e.encodeCorpus(docs); }}
 */
public final class BgeEmbedder implements Embedder {

    /** Receives progress while a list of texts is encoded. */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * @param done texts encoded so far
         * @param total texts in this call
         */
        void onProgress(int done, int total);
    }

    private final BgeModel model;
    private final int batchSize;
    private final int maxLength;
    private final String queryInstruction;
    private final ProgressListener listener;
    private String fingerprint;

    private BgeEmbedder(Builder b) {
        this.model = b.model;
        this.batchSize = b.batchSize;
        this.maxLength = b.maxLength;
        this.queryInstruction = b.queryInstruction;
        this.listener = b.listener;
    }

    static Builder builder(BgeModel model) {
        return new Builder(model);
    }

    /**
     * Options of a {@link BgeEmbedder}; validated in {@link #build()}.
     *
     * <p>Usage: {@code model.embedder().batchSize(64).maxLength(256).build()}
     */
    public static final class Builder {
        private final BgeModel model;
        private int batchSize = 32;
        private int maxLength;
        private String queryInstruction;
        private ProgressListener listener = (d, t) -> { };

        private Builder(BgeModel model) {
            this.model = Objects.requireNonNull(model, "model");
            this.maxLength = model.maxLength();
            this.queryInstruction = model.queryInstruction();
        }

        /** @param batchSize texts per forward pass (default 32) @return this */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
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

        /** @return the embedder */
        public BgeEmbedder build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
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
            return new BgeEmbedder(this);
        }
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
        long[][] ids = model.tokenizer().encode(texts, maxLength);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // longest first: the first batch shows the peak memory at once; ties keep input order
        Arrays.sort(order, (a, b) -> Integer.compare(ids[b].length, ids[a].length));
        int done = 0;
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            long[][] batch = new long[end - start][];
            for (int i = start; i < end; i++) {
                batch[i - start] = ids[order[i]];
            }
            try (NDManager m = model.manager().newSubManager()) {
                NDArray emb = model.embed(m, batch, false);
                float[] flat = emb.getDataType() == DataType.FLOAT32 ? emb.toFloatArray()
                        : emb.toType(DataType.FLOAT32, false).toFloatArray();
                int dim = model.dimension();
                for (int i = start; i < end; i++) {
                    out[order[i]] = Arrays.copyOfRange(flat, (i - start) * dim, (i - start + 1) * dim);
                }
            }
            done += end - start;
            listener.onProgress(done, n);
        }
        return out;
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
        return model.dimension();
    }

    @Override
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update((model.config().toJson().toString() + "|" + model.pooling() + "|" + model.normalize() + "|"
                        + queryInstruction + "|" + maxLength).getBytes(StandardCharsets.UTF_8));
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

    /** Nothing to free: the model owns the weights; batch arrays are freed per batch. */
    @Override
    public void close() {
        // the model, not the embedder, owns native memory
    }
}
