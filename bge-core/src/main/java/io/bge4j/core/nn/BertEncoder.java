package io.bge4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.ModelFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT / XLM-RoBERTa encoder as a DJL block whose parameters carry the Hugging Face names
 * ({@code embeddings.word_embeddings.weight}, {@code encoder.layer.3.attention.self.query.weight}, ...),
 * so weights load from and save to HF files without a name map.
 *
 * <p>Computes exactly what {@code transformers.BertModel} computes for {@code last_hidden_state}:
 * word + position + token-type embeddings, LayerNorm, then per layer multi-head self-attention
 * with the padding mask, residual + LayerNorm, an exact (erf) GELU feed-forward, residual + LayerNorm.
 * Dropout is applied only when {@code training} is true. XLM-R position ids start at
 * {@code pad_token_id + 1} and skip padding, as in HF.
 *
 * <p>All intermediate arrays are attached to the manager of the input ids, so a caller that
 * creates inputs in a per-batch sub-manager frees every activation by closing it.
 *
 * <p>Usage: {@code NDArray hidden = encoder.forward(ids, mask, false); // [batch, tokens, hidden]}
 */
public final class BertEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final EncoderConfig config;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Parameter wordEmb;
    private final Parameter posEmb;
    private final Parameter typeEmb;
    private final Parameter embLnW;
    private final Parameter embLnB;
    private final List<Parameter[]> layers = new ArrayList<>();

    /** @param config the architecture */
    public BertEncoder(EncoderConfig config) {
        super(VERSION);
        this.config = config;
        wordEmb = param("embeddings.word_embeddings.weight", Parameter.Type.WEIGHT);
        posEmb = param("embeddings.position_embeddings.weight", Parameter.Type.WEIGHT);
        typeEmb = param("embeddings.token_type_embeddings.weight", Parameter.Type.WEIGHT);
        embLnW = param("embeddings.LayerNorm.weight", Parameter.Type.GAMMA);
        embLnB = param("embeddings.LayerNorm.bias", Parameter.Type.BETA);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            layers.add(new Parameter[] {
                param(p + "attention.self.query.weight", Parameter.Type.WEIGHT),
                param(p + "attention.self.query.bias", Parameter.Type.BIAS),
                param(p + "attention.self.key.weight", Parameter.Type.WEIGHT),
                param(p + "attention.self.key.bias", Parameter.Type.BIAS),
                param(p + "attention.self.value.weight", Parameter.Type.WEIGHT),
                param(p + "attention.self.value.bias", Parameter.Type.BIAS),
                param(p + "attention.output.dense.weight", Parameter.Type.WEIGHT),
                param(p + "attention.output.dense.bias", Parameter.Type.BIAS),
                param(p + "attention.output.LayerNorm.weight", Parameter.Type.GAMMA),
                param(p + "attention.output.LayerNorm.bias", Parameter.Type.BETA),
                param(p + "intermediate.dense.weight", Parameter.Type.WEIGHT),
                param(p + "intermediate.dense.bias", Parameter.Type.BIAS),
                param(p + "output.dense.weight", Parameter.Type.WEIGHT),
                param(p + "output.dense.bias", Parameter.Type.BIAS),
                param(p + "output.LayerNorm.weight", Parameter.Type.GAMMA),
                param(p + "output.LayerNorm.bias", Parameter.Type.BETA),
            });
        }
    }

    private Parameter param(String name, Parameter.Type type) {
        Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
        byName.put(name, p);
        return p;
    }

    /** @return the architecture */
    public EncoderConfig config() {
        return config;
    }

    /** @return every parameter by its Hugging Face name, in HF order */
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(byName);
    }

    /**
     * The shape each parameter must have.
     *
     * @param name an HF parameter name of this encoder
     * @return its shape
     */
    public Shape expectedShape(String name) {
        int h = config.hiddenSize();
        if (name.equals("embeddings.word_embeddings.weight")) {
            return new Shape(config.vocabSize(), h);
        } else if (name.equals("embeddings.position_embeddings.weight")) {
            return new Shape(config.maxPositionEmbeddings(), h);
        } else if (name.equals("embeddings.token_type_embeddings.weight")) {
            return new Shape(config.typeVocabSize(), h);
        } else if (name.endsWith("intermediate.dense.weight")) {
            return new Shape(config.intermediateSize(), h);
        } else if (name.endsWith("intermediate.dense.bias")) {
            return new Shape(config.intermediateSize());
        } else if (name.endsWith("output.dense.weight") && !name.contains("attention")) {
            return new Shape(h, config.intermediateSize());
        } else if (name.endsWith(".weight") && !name.contains("LayerNorm")) {
            return new Shape(h, h);
        }
        return new Shape(h);
    }

    /**
     * Sets one parameter's value, checking its shape.
     *
     * @param name HF name
     * @param array the value (ownership passes to the encoder's parameter)
     * @throws ModelFormatException on an unknown name or a shape mismatch
     */
    public void setParameter(String name, NDArray array) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new ModelFormatException("unknown parameter '" + name + "' for a " + config.modelType() + " encoder");
        }
        Shape expected = expectedShape(name);
        if (!expected.equals(array.getShape())) {
            throw new ModelFormatException("parameter '" + name + "' has shape " + array.getShape()
                    + " but the config (" + config.hiddenSize() + " hidden, " + config.intermediateSize()
                    + " intermediate, vocab " + config.vocabSize() + ") requires " + expected);
        }
        if (p.isInitialized()) {
            p.getArray().close();
            p.close();
        }
        p.setArray(array);
    }

    /** @return names of parameters that have no value yet */
    public List<String> missingParameters() {
        List<String> missing = new ArrayList<>();
        byName.forEach((n, p) -> {
            if (!p.isInitialized()) {
                missing.add(n);
            }
        });
        return missing;
    }

    /**
     * Initialises every parameter randomly as BERT does (normal(0, 0.02) weights, zero biases, unit
     * LayerNorm), for tests and tiny models.
     *
     * @param manager owner of the new arrays
     * @param seed RNG seed (a Java RNG, so the values do not depend on the engine's global seed)
     */
    public void initializeRandom(NDManager manager, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        for (Map.Entry<String, Parameter> e : byName.entrySet()) {
            Shape s = expectedShape(e.getKey());
            float[] v = new float[Math.toIntExact(s.size())];
            Parameter.Type t = e.getValue().getType();
            if (t == Parameter.Type.GAMMA) {
                Arrays.fill(v, 1f);
            } else if (t == Parameter.Type.WEIGHT) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rnd.nextGaussian() * 0.02);
                }
            }
            setParameter(e.getKey(), manager.create(v, s));
        }
    }

    /**
     * Runs the encoder.
     *
     * @param inputIds int64 [batch, tokens]
     * @param attentionMask int64 [batch, tokens], 1 for real tokens, 0 for padding
     * @param training true to apply dropout
     * @return last hidden state, float [batch, tokens, hidden], attached to the manager of {@code inputIds}
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, attentionMask, null, training);
    }

    /**
     * Runs the encoder on segment-labelled input (sentence pairs: type 0 for the first segment, 1 for the
     * second, as HF's {@code token_type_ids}).
     *
     * @param inputIds int64 [batch, tokens]
     * @param attentionMask int64 [batch, tokens], 1 for real tokens, 0 for padding
     * @param tokenTypeIds int64 [batch, tokens] below {@code type_vocab_size}, or null for all zeros
     * @param training true to apply dropout
     * @return last hidden state, float [batch, tokens, hidden], attached to the manager of {@code inputIds}
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds, boolean training) {
        return forward(inputIds, attentionMask, tokenTypeIds, training, null);
    }

    /**
     * Runs the encoder with per-text dropout keys: with {@code training} true, every dropout mask of
     * text {@code i} is a function of {@code rowKeys[i]}, the dropout site and the text's real length
     * only, so a text draws the same masks alone, in any batch, in any order and at any padded length.
     * This is what makes a GradCache step (chunks, each padded to its own longest text) compute the
     * gradients of one forward over the whole batch with dropout on (equal up to float rounding: the
     * tests check 1e-5 relative on tiny BERT and XLM-R; CPU only so far).
     *
     * <p>Dropout sites, in order: the embeddings output (site 0), then per layer {@code l} the attention
     * probabilities ({@code 1 + 3l}), the attention output ({@code 2 + 3l}) and the feed-forward output
     * ({@code 3 + 3l}). For each site with a rate {@code p > 0} and each text, the engine's random seed
     * is set from {@code (rowKeys[i], site)} and a uniform keep-draw is made for the text's real extent
     * only ({@code [length, hidden]}, or {@code [heads, length, length]} for attention probabilities);
     * padded positions are never dropped (they never reach a real token's output: padded keys get
     * zero attention and pooling ignores padded tokens). Kept values are scaled by {@code 1 / (1 - p)},
     * as in ordinary dropout, and gradients flow through the mask product.
     *
     * <p>Side effect: this consumes the engine's global seed ({@link ai.djl.engine.Engine#setRandomSeed},
     * which also reseeds DJL's {@code RandomUtils}); nothing is restored. A caller that needs its own
     * random stream afterwards must reseed. Keyed draws are serialised with one another in this JVM, but
     * other threads drawing from the engine at the same time (ordinary dropout, random arrays) can
     * interleave with them and break their determinism. Real tokens must be a prefix of each row (right
     * padding, as {@link io.bge4j.core.BgeEmbedder#pad} makes); masks differ between devices (CPU and
     * CUDA generators differ) but not between batchings on one device.
     *
     * <p>Usage: {@code encoder.forward(ids, mask, null, true, new long[] {BertEncoder.dropoutKey(seed, step, tokens)})}
     *
     * @param inputIds int64 [batch, tokens]
     * @param attentionMask int64 [batch, tokens], 1 for real tokens, 0 for padding (right padding)
     * @param tokenTypeIds int64 [batch, tokens] below {@code type_vocab_size}, or null for all zeros
     * @param training true to apply dropout
     * @param rowKeys one dropout key per text (see {@link #dropoutKey}), or null for ordinary dropout
     *     drawn from the engine's current random state (the four-argument behaviour)
     * @return last hidden state, float [batch, tokens, hidden], attached to the manager of {@code inputIds}
     * @throws IllegalArgumentException when {@code rowKeys} has not one key per row, or with keys, when
     *     a row's real tokens are not a prefix of it
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds, boolean training,
            long[] rowKeys) {
        Shape in = inputIds.getShape();
        if (in.dimension() != 2 || !in.equals(attentionMask.getShape())) {
            throw new IllegalArgumentException("input ids and attention mask must both be [batch, tokens], got "
                    + in + " and " + attentionMask.getShape());
        }
        long tokens = in.get(1);
        if (tokens > config.maxSequenceLength()) {
            throw new IllegalArgumentException("sequence of " + tokens + " tokens exceeds the model's "
                    + config.maxSequenceLength() + " positions; truncate in the tokenizer");
        }
        KeyedDropout keyed = null;
        if (rowKeys != null) {
            if (rowKeys.length != in.get(0)) {
                throw new IllegalArgumentException("rowKeys has " + rowKeys.length + " keys for a batch of "
                        + in.get(0) + " texts; pass one dropout key per text (or null for ordinary dropout)");
            }
            if (training) {
                keyed = new KeyedDropout(rowKeys, KeyedDropout.prefixLengths(attentionMask));
            }
        }
        NDManager m = inputIds.getManager();
        NDArray positionIds = positionIds(inputIds, m);
        NDArray x = Embedding.embedding(inputIds, wordEmb.getArray(), SparseFormat.DENSE).head();
        x = x.add(Embedding.embedding(positionIds, posEmb.getArray(), SparseFormat.DENSE).head());
        NDArray typeIds = tokenTypeIds == null ? m.zeros(in, DataType.INT64) : tokenTypeIds;
        if (!typeIds.getShape().equals(in)) {
            throw new IllegalArgumentException("token type ids must be " + in + ", got " + typeIds.getShape());
        }
        x = x.add(Embedding.embedding(typeIds, typeEmb.getArray(), SparseFormat.DENSE).head());
        x = layerNorm(x, embLnW, embLnB);
        x = dropout(x, config.hiddenDropoutProb(), training, keyed, 0, false);

        DataType dt = x.getDataType();
        float minValue = dt == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
        // [B, 1, 1, T]: 0 where attended, dtype-min where padding
        NDArray maskBias = attentionMask.toType(dt, false).neg().add(1f).mul(minValue)
                .expandDims(1).expandDims(1);
        for (int l = 0; l < layers.size(); l++) {
            NDArray next = layer(x, maskBias, layers.get(l), training, keyed, 1 + 3 * l);
            x.close();
            x = next;
        }
        maskBias.close();
        if (keyed != null) {
            keyed.close();
        }
        return x;
    }

    /**
     * A dropout key for one text of one training step: a 64-bit mix of the run's seed, the step (use a
     * global micro-batch counter under gradient accumulation) and the text's token ids. The same text
     * in the same step gets the same key however the step is batched or chunked; identical texts in one
     * step share their masks (add an occurrence number to {@code step} or the seed to tell them apart).
     *
     * <p>Usage: {@code long key = BertEncoder.dropoutKey(runSeed, microStep, ids[i]);}
     *
     * @param seed the run's seed
     * @param step the step (or micro-batch) index
     * @param tokenIds the text's token ids, as given to the encoder (no padding)
     * @return the key
     */
    public static long dropoutKey(long seed, long step, long[] tokenIds) {
        long h = KeyedDropout.mix(seed * 0x9E3779B97F4A7C15L + 0x6A09E667F3BCC909L);
        h = KeyedDropout.mix(h + step * 0xBF58476D1CE4E5B9L);
        for (long id : tokenIds) {
            h = KeyedDropout.mix(h + id * 0x94D049BB133111EBL + 0x3C6EF372FE94F82BL);
        }
        return KeyedDropout.mix(h + tokenIds.length);
    }

    private NDArray positionIds(NDArray inputIds, NDManager m) {
        long batch = inputIds.getShape().get(0);
        long tokens = inputIds.getShape().get(1);
        if (!config.isXlmRoberta()) {
            return m.arange(0, tokens, 1, DataType.INT64).expandDims(0).repeat(0, batch);
        }
        NDArray notPad = inputIds.neq(config.padTokenId()).toType(DataType.INT64, false);
        return notPad.cumSum(1).mul(notPad).add(config.padTokenId());
    }

    private NDArray layer(NDArray x, NDArray maskBias, Parameter[] p, boolean training, KeyedDropout keyed,
            int site) {
        // Intermediates are closed as soon as they are consumed: a DJL handle would otherwise keep every
        // activation alive until the step's manager closes. Autograd holds its own references to what
        // backward needs, so closing here frees memory without breaking gradients.
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int hs = config.headSize();
        NDArray qLin = linear(x, p[0], p[1]);
        NDArray q = heads(qLin, b, t, heads, hs);
        NDArray qScaled = q.div(Scalars.of(q, Math.sqrt(hs)));
        close(qLin, q);
        NDArray kLin = linear(x, p[2], p[3]);
        NDArray k = heads(kLin, b, t, heads, hs);
        NDArray kT = k.transpose(0, 1, 3, 2);
        NDArray raw = qScaled.matMul(kT);
        close(kLin, k, kT, qScaled);
        NDArray scores = raw.add(maskBias);
        NDArray soft = scores.softmax(-1);
        close(raw, scores);
        NDArray probs = dropout(soft, config.attentionDropoutProb(), training, keyed, site, true);
        NDArray vLin = linear(x, p[4], p[5]);
        NDArray v = heads(vLin, b, t, heads, hs);
        NDArray ctxHeads = probs.matMul(v);
        close(vLin, v, soft, probs);
        NDArray ctxT = ctxHeads.transpose(0, 2, 1, 3);
        NDArray ctx = ctxT.reshape(b, t, (long) heads * hs);
        NDArray attnLin = linear(ctx, p[6], p[7]);
        close(ctxHeads, ctxT, ctx);
        NDArray attn = dropout(attnLin, config.hiddenDropoutProb(), training, keyed, site + 1, false);
        NDArray res1 = attn.add(x);
        NDArray h1 = layerNorm(res1, p[8], p[9]);
        close(attnLin, attn, res1);
        NDArray interLin = linear(h1, p[10], p[11]);
        NDArray inter = Activation.gelu(interLin);
        NDArray outLin = linear(inter, p[12], p[13]);
        close(interLin, inter);
        NDArray out = dropout(outLin, config.hiddenDropoutProb(), training, keyed, site + 2, false);
        NDArray res2 = out.add(h1);
        NDArray y = layerNorm(res2, p[14], p[15]);
        close(outLin, out, res2, h1);
        return y;
    }

    /** Closes distinct arrays once each (dropout in inference returns its input unchanged). */
    private static void close(NDArray... arrays) {
        for (int i = 0; i < arrays.length; i++) {
            boolean seen = false;
            for (int j = 0; j < i; j++) {
                seen |= arrays[j] == arrays[i];
            }
            if (!seen && !arrays[i].isReleased()) {
                arrays[i].close();
            }
        }
    }

    private static NDArray heads(NDArray x, long b, long t, int heads, int hs) {
        return x.reshape(b, t, heads, hs).transpose(0, 2, 1, 3);
    }

    private static NDArray linear(NDArray x, Parameter w, Parameter bias) {
        return Linear.linear(x, w.getArray(), bias.getArray()).head();
    }

    private NDArray layerNorm(NDArray x, Parameter gamma, Parameter beta) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), gamma.getArray(), beta.getArray(),
                (float) config.layerNormEps()).head();
    }

    private static NDArray dropout(NDArray x, double rate, boolean training, KeyedDropout keyed, int site,
            boolean attention) {
        if (!training || rate <= 0) {
            return x;
        }
        if (keyed != null) {
            return keyed.apply(x, rate, site, attention);
        }
        return Dropout.dropout(x, (float) rate, true).head();
    }

    /**
     * Dropout whose masks are a function of (row key, site, real length): see the five-argument
     * {@link BertEncoder#forward(NDArray, NDArray, NDArray, boolean, long[])}. Package access for tests.
     */
    static final class KeyedDropout {

        /** Serialises (seed, draw) pairs of concurrent keyed forwards; holds no state. */
        private static final Object DRAW_LOCK = new Object();

        private final long[] keys;
        private final int[] lengths;
        private NDArray realHidden;
        private NDArray realAttention;

        KeyedDropout(long[] keys, int[] lengths) {
            this.keys = keys.clone();
            this.lengths = lengths.clone();
        }

        /** @return each row's real length, checking that real tokens form a prefix of the row */
        static int[] prefixLengths(NDArray attentionMask) {
            long b = attentionMask.getShape().get(0);
            int t = Math.toIntExact(attentionMask.getShape().get(1));
            long[] flat = attentionMask.toType(DataType.INT64, false).toLongArray();
            int[] lengths = new int[Math.toIntExact(b)];
            for (int i = 0; i < lengths.length; i++) {
                int len = 0;
                while (len < t && flat[i * t + len] != 0) {
                    len++;
                }
                for (int j = len; j < t; j++) {
                    if (flat[i * t + j] != 0) {
                        throw new IllegalArgumentException("row " + i + " of the attention mask has a real token at "
                                + j + " after padding at " + len + "; keyed dropout needs right padding (real tokens"
                                + " first, as BgeEmbedder.pad makes)");
                    }
                }
                lengths[i] = len;
            }
            return lengths;
        }

        /** The engine seed of one (row key, site) pair. */
        static int seed(long key, int site) {
            return (int) (mix(key + (site + 1L) * 0x9E3779B97F4A7C15L) >>> 32);
        }

        /** SplitMix64's finaliser. */
        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /**
         * The keep-mask of one site, as booleans: each row's real extent gets its own draw (kept where
         * the uniform draw is at least {@code rate}); padding is all kept. The rows' draws are joined
         * and written in one masked assignment: a boolean mask enumerates its true positions in
         * row-major order, which is each row's real block in turn, flattened, as drawn.
         *
         * @param m owner of the result
         * @param shape [batch, tokens, hidden], or [batch, heads, tokens, tokens] when {@code attention}
         */
        NDArray mask(NDManager m, Shape shape, double rate, int site, boolean attention) {
            NDArray real = real(m, shape, attention);
            NDArray keep = real.logicalNot();
            NDList draws = new NDList();
            ai.djl.engine.Engine engine = m.getEngine();
            for (int i = 0; i < lengths.length; i++) {
                int len = lengths[i];
                if (len == 0) {
                    continue;
                }
                long size = attention ? shape.get(1) * len * len : (long) len * shape.get(2);
                synchronized (DRAW_LOCK) {
                    engine.setRandomSeed(seed(keys[i], site));
                    draws.add(m.randomUniform(0f, 1f, new Shape(size), DataType.FLOAT32));
                }
            }
            if (!draws.isEmpty()) {
                NDArray joined = draws.size() == 1 ? draws.head() : NDArrays.concat(draws, 0);
                NDArray rowKeep = joined.gte((float) rate);
                keep.set(new NDIndex().addBooleanIndex(real), rowKeep);
                rowKeep.close();
                if (draws.size() > 1) {
                    joined.close();
                }
                draws.close();
            }
            return keep;
        }

        /** True on each row's real extent; built once per shape kind and forward. */
        private NDArray real(NDManager m, Shape shape, boolean attention) {
            NDArray cached = attention ? realAttention : realHidden;
            if (cached != null && cached.getShape().equals(shape)) {
                return cached;
            }
            long t = attention ? shape.get(2) : shape.get(1);
            long[] lens = new long[lengths.length];
            for (int i = 0; i < lens.length; i++) {
                lens[i] = lengths[i];
            }
            try (NDManager tmp = m.newSubManager()) {
                NDArray valid = tmp.arange(0, t, 1, DataType.INT64).expandDims(0)
                        .lt(tmp.create(lens, new Shape(lens.length, 1))); // [B, T]
                NDArray r;
                if (attention) {
                    NDArray q = valid.expandDims(1).expandDims(3); // [B, 1, T, 1]
                    NDArray k = valid.expandDims(1).expandDims(2); // [B, 1, 1, T]
                    r = q.logicalAnd(k).repeat(1, shape.get(1));
                } else {
                    r = valid.expandDims(2).repeat(2, shape.get(2));
                }
                r.attach(m);
                if (cached != null) {
                    cached.close();
                }
                if (attention) {
                    realAttention = r;
                } else {
                    realHidden = r;
                }
                return r;
            }
        }

        /** Frees the cached extent masks. */
        void close() {
            for (NDArray a : new NDArray[] {realHidden, realAttention}) {
                if (a != null && !a.isReleased()) {
                    a.close();
                }
            }
            realHidden = null;
            realAttention = null;
        }

        /** Dropout of one site: {@code x * mask / (1 - rate)}; autograd keeps only the boolean mask. */
        NDArray apply(NDArray x, double rate, int site, boolean attention) {
            NDArray keep = mask(x.getManager(), x.getShape(), rate, site, attention);
            NDArray kept = x.mul(keep);
            NDArray y = kept.mul(Scalars.of(kept, 1.0 / (1.0 - rate)));
            keep.close();
            kept.close();
            return y;
        }
    }

    /**
     * DJL block entry point: inputs {@code [input_ids, attention_mask]}, output {@code [last_hidden_state]}.
     */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(inputs.get(0), inputs.get(1), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1), config.hiddenSize())};
    }

    @Override
    public String toString() {
        return "BertEncoder[" + config.modelType() + ", " + config.numHiddenLayers() + " layers, hidden "
                + config.hiddenSize() + "]";
    }

}
