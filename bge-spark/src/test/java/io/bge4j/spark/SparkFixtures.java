package io.bge4j.spark;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** Shared test fixtures: a local[2] session, a slice of the shipped Debian data, a saved tiny model. */
final class SparkFixtures {
    static final Path DEBIAN = findData();

    private SparkFixtures() {
    }

    private static Path findData() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/debian-packages-en");
            if (Files.isDirectory(d)) {
                return d;
            }
        }
        throw new IllegalStateException("data/debian-packages-en not found above " + Path.of("").toAbsolutePath());
    }

    /** One session per test class: local[2], no UI, scratch space under {@code tmp}. */
    static SparkSession session(Path tmp) {
        return session(tmp, "org.apache.spark.serializer.JavaSerializer");
    }

    /** As {@link #session(Path)} with the given {@code spark.serializer}. */
    static SparkSession session(Path tmp, String serializer) {
        return SparkSession.builder().master("local[2]").appName("bge4j-spark-test")
                .config("spark.serializer", serializer)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.local.dir", tmp.resolve("spark-local").toString())
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    /** The first {@code n} documents of the shipped corpus. */
    static Corpus corpus(int n) {
        List<CorpusDocument> docs = Corpus.readJsonl(DEBIAN.resolve("corpus.jsonl")).documents();
        return Corpus.of(new ArrayList<>(docs.subList(0, Math.min(n, docs.size()))));
    }

    /** Training examples whose positive is one of {@code corpus}'s documents (at most {@code n}). */
    static List<TrainingExample> examples(Corpus corpus, int n) {
        java.util.Set<String> texts = new java.util.HashSet<>(corpus.fullTexts());
        List<TrainingExample> out = new ArrayList<>();
        for (TrainingExample e : TrainingSet.readJsonl(DEBIAN.resolve("train.jsonl")).examples()) {
            if (out.size() < n && !e.positives().isEmpty() && texts.contains(e.positives().get(0))) {
                out.add(e);
            }
        }
        return out;
    }

    /** A tiny random BERT whose vocabulary covers {@code texts}, saved under {@code dir}. */
    static Path tinyModel(List<String> texts, Path dir) {
        try (BgeModel m = TinyModels.bert(texts, 7, 0.0)) {
            m.save(dir);
        }
        return dir;
    }
}
