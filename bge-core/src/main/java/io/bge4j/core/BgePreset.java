package io.bge4j.core;

import java.util.Locale;
import java.util.Optional;

/**
 * The BGE family: Hugging Face id, size class, pooling, maximum length and query instruction of each
 * model, and where its weights come from: bge-small-en/zh-v1.5 each have an optional model artifact
 * ({@code io.bge4j:bge4j-model-bge-small-en-v15}, {@code io.bge4j:bge4j-model-bge-small-zh-v15}) that
 * puts the weights on the class path; the others load from a local directory or the Hugging Face
 * cache (docs/models.md says how to get them).
 *
 * <p>Usage: {@code BgeModel m = BgeModel.load("bge-small-en-v1.5");}
 */
public enum BgePreset {
    /** BAAI/bge-small-en-v1.5, 33M parameters, embedded. */
    BGE_SMALL_EN_V15("bge-small-en-v1.5", SizeClass.SMALL, 30522, 12, Instructions.EN, 512, "bge-small-en-v1.5"),
    /** BAAI/bge-base-en-v1.5, 109M parameters. */
    BGE_BASE_EN_V15("bge-base-en-v1.5", SizeClass.BASE, 30522, 12, Instructions.EN, 512, null),
    /** BAAI/bge-large-en-v1.5, 335M parameters. */
    BGE_LARGE_EN_V15("bge-large-en-v1.5", SizeClass.LARGE, 30522, 16, Instructions.EN, 512, null),
    /** BAAI/bge-small-zh-v1.5, 24M parameters, embedded. */
    BGE_SMALL_ZH_V15("bge-small-zh-v1.5", SizeClass.SMALL, 21128, 8, Instructions.ZH, 512, "bge-small-zh-v1.5"),
    /** BAAI/bge-base-zh-v1.5, 102M parameters. */
    BGE_BASE_ZH_V15("bge-base-zh-v1.5", SizeClass.BASE, 21128, 12, Instructions.ZH, 512, null),
    /** BAAI/bge-large-zh-v1.5, 326M parameters. */
    BGE_LARGE_ZH_V15("bge-large-zh-v1.5", SizeClass.LARGE, 21128, 16, Instructions.ZH, 512, null),
    /** BAAI/bge-m3 (XLM-RoBERTa, dense retrieval head), 568M parameters, no query instruction. */
    BGE_M3("bge-m3", SizeClass.LARGE, 250002, 16, "", 8192, null);

    /** Size classes, which drive default learning rates and data-size advice. */
    public enum SizeClass {
        /** ~25-35M parameters */
        SMALL,
        /** ~100M parameters */
        BASE,
        /** 300M+ parameters */
        LARGE
    }

    /** The query instructions BGE v1.5 was trained with. */
    public static final class Instructions {
        /** English retrieval instruction. */
        public static final String EN = "Represent this sentence for searching relevant passages: ";
        /** Chinese retrieval instruction. */
        public static final String ZH = "为这个句子生成表示以用于检索相关文章：";

        private Instructions() {}
    }

    private final String modelName;
    private final SizeClass sizeClass;
    private final int vocabSize;
    private final int attentionHeads;
    private final String queryInstruction;
    private final int maxLength;
    private final String embeddedResource;

    BgePreset(String modelName, SizeClass sizeClass, int vocabSize, int attentionHeads, String queryInstruction, int maxLength,
            String embeddedResource) {
        this.modelName = modelName;
        this.sizeClass = sizeClass;
        this.vocabSize = vocabSize;
        this.attentionHeads = attentionHeads;
        this.queryInstruction = queryInstruction;
        this.maxLength = maxLength;
        this.embeddedResource = embeddedResource;
    }

    /** @return the short name, e.g. {@code bge-small-en-v1.5} */
    public String modelName() {
        return modelName;
    }

    /** @return the Hugging Face repository id, e.g. {@code BAAI/bge-small-en-v1.5} */
    public String huggingFaceId() {
        return "BAAI/" + modelName;
    }

    /** @return small, base or large */
    public SizeClass sizeClass() {
        return sizeClass;
    }

    /** @return vocabulary size */
    public int vocabSize() {
        return vocabSize;
    }

    /** @return attention heads per layer (not recoverable from weight shapes) */
    public int attentionHeads() {
        return attentionHeads;
    }

    /** @return the instruction prepended to queries (empty for bge-m3) */
    public String queryInstruction() {
        return queryInstruction;
    }

    /** @return the maximum sequence length in tokens */
    public int maxLength() {
        return maxLength;
    }

    /** @return BGE pools with the CLS token */
    public Pooling pooling() {
        return Pooling.CLS;
    }

    /**
     * Whether bge4j publishes a model artifact for this preset (see {@link #modelArtifact()}); whether
     * it is on the class path is decided when loading.
     *
     * @return true for bge-small-en-v1.5 and bge-small-zh-v1.5
     */
    public boolean isEmbedded() {
        return embeddedResource != null;
    }

    /**
     * The Maven coordinates ({@code groupId:artifactId}) of the optional artifact that embeds this model.
     *
     * @return e.g. {@code io.bge4j:bge4j-model-bge-small-en-v15}; empty for models bge4j does not publish
     */
    public Optional<String> modelArtifact() {
        return embeddedResource().map(stem -> "io.bge4j:bge4j-model-" + stem.replace("-v1.5", "-v15"));
    }

    /** @return classpath resource name stem of the embedded ONNX file and tokenizer, if published */
    Optional<String> embeddedResource() {
        return Optional.ofNullable(embeddedResource);
    }

    /**
     * Finds a preset by short name or HF id, case-insensitively ({@code bge-small-en-v1.5},
     * {@code BAAI/bge-small-en-v1.5}).
     *
     * @param name the name
     * @return the preset, if any
     */
    public static Optional<BgePreset> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("baai/")) {
            n = n.substring(5);
        }
        for (BgePreset p : values()) {
            if (p.modelName.equals(n)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Guesses the preset a path or HF name refers to (e.g. {@code .../models--BAAI--bge-base-en-v1.5/...}).
     *
     * @param text a path or name
     * @return the longest-named preset whose name occurs in it
     */
    public static Optional<BgePreset> guess(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.toLowerCase(Locale.ROOT);
        BgePreset best = null;
        for (BgePreset p : values()) {
            if (t.contains(p.modelName) && (best == null || p.modelName.length() > best.modelName.length())) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }
}
