package io.bge4j.data.sampling;

import java.util.function.Supplier;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;

/**
 * The Lucene analyzer a {@link Bm25NegativeSampler} tokenises with.
 *
 * <p>Usage: {@code Bm25NegativeSampler.builder().language(Bm25Language.CHINESE)}
 */
public enum Bm25Language {
    /** English: stop words, possessive removal, Porter stemming ({@link EnglishAnalyzer}). */
    ENGLISH(EnglishAnalyzer::new),
    /** Language-neutral Unicode word segmentation and lower-casing ({@link StandardAnalyzer}). */
    STANDARD(StandardAnalyzer::new),
    /** Simplified Chinese word segmentation with a dictionary model ({@link SmartChineseAnalyzer}). */
    CHINESE(SmartChineseAnalyzer::new),
    /** Chinese, Japanese, Korean as overlapping character bigrams ({@link CJKAnalyzer}). */
    CJK_BIGRAM(CJKAnalyzer::new);

    private final Supplier<Analyzer> factory;

    Bm25Language(Supplier<Analyzer> factory) {
        this.factory = factory;
    }

    /** @return a new analyzer (the caller closes it) */
    public Analyzer newAnalyzer() {
        return factory.get();
    }
}
