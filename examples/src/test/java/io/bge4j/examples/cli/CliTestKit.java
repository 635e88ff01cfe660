package io.bge4j.examples.cli;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Test helpers for the CLI: running a command line, tiny model directories, tiny BEIR data sets. */
final class CliTestKit {

    /** Documents of the tiny data sets: (id, text). */
    static final String[][] DOCS = {
        {"d1", "nginx is a fast http server and reverse proxy"},
        {"d2", "vim is a highly configurable text editor"},
        {"d3", "gzip reduces the size of files with lempel ziv coding"},
        {"d4", "apt downloads and installs debian packages"},
        {"d5", "a lightweight audio player for mp3 and ogg"},
        {"d6", "a graphical web browser with tabs"},
        {"d7", "a spell checker with dictionaries for many languages"},
        {"d8", "vector drawing program for flowcharts and diagrams"},
    };

    /** Queries of the tiny data sets: (id, text); query i is about document i. */
    static final String[][] QUERIES = {
        {"q1", "install web server"},
        {"q2", "edit text files"},
        {"q3", "compress archives"},
        {"q4", "manage packages"},
        {"q5", "play music"},
        {"q6", "browse the internet"},
        {"q7", "check spelling"},
        {"q8", "draw diagrams"},
    };

    private CliTestKit() {}

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Bge4jCli.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** @return every query and document text (the tiny models' vocabulary) */
    static List<String> allTexts() {
        List<String> t = new ArrayList<>();
        for (String[] d : DOCS) {
            t.add(d[1]);
        }
        for (String[] q : QUERIES) {
            t.add(q[1]);
        }
        return t;
    }

    /** Saves a tiny random BERT (no dropout) over the given texts' words and returns its directory. */
    static Path tinyModel(Path dir, Collection<String> texts, long seed) {
        try (BgeModel m = TinyModels.bert(texts, seed, 0.0)) {
            m.save(dir);
        }
        return dir;
    }

    /**
     * Writes a BEIR data set with the first {@code queries} queries, every document, and one judgement per query
     * (query i → document i, relevance 1).
     */
    static Path beir(Path dir, String split, int queries) throws IOException {
        Files.createDirectories(dir.resolve("qrels"));
        StringBuilder corpus = new StringBuilder();
        for (String[] d : DOCS) {
            corpus.append("{\"_id\": \"").append(d[0]).append("\", \"title\": \"\", \"text\": \"").append(d[1])
                    .append("\"}\n");
        }
        Files.writeString(dir.resolve("corpus.jsonl"), corpus);
        StringBuilder q = new StringBuilder();
        StringBuilder qrels = new StringBuilder("query-id\tcorpus-id\tscore\n");
        for (int i = 0; i < queries; i++) {
            q.append("{\"_id\": \"").append(QUERIES[i][0]).append("\", \"text\": \"").append(QUERIES[i][1])
                    .append("\"}\n");
            qrels.append(QUERIES[i][0]).append('\t').append(DOCS[i][0]).append("\t1\n");
        }
        Files.writeString(dir.resolve("queries.jsonl"), q);
        Files.writeString(dir.resolve("qrels").resolve(split + ".tsv"), qrels);
        return dir;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Ranks of each query's relevant document (query i → document i), 1-based, among all documents, computed by
     * brute force from the model's embeddings.
     */
    static int[] relevantRanks(Path model, int queries) {
        try (BgeModel m = BgeModel.load(model); Embedder e = m.embedder().build()) {
            List<String> qs = new ArrayList<>();
            for (int i = 0; i < queries; i++) {
                qs.add(QUERIES[i][1]);
            }
            List<String> ds = new ArrayList<>();
            for (String[] d : DOCS) {
                ds.add(d[1]);
            }
            float[][] q = e.encodeQueries(qs);
            float[][] d = e.encodeCorpus(ds);
            int[] ranks = new int[queries];
            for (int i = 0; i < queries; i++) {
                double own = dot(q[i], d[i]);
                int rank = 1;
                for (int j = 0; j < d.length; j++) {
                    if (j != i && dot(q[i], d[j]) > own) {
                        rank++;
                    }
                }
                ranks[i] = rank;
            }
            return ranks;
        }
    }
}
