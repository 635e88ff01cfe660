package io.bge4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdviseCommandTest {

    /** Training pairs (t0..t7 → doc a0..a7), dev pairs (v0..v3 → doc b0..b3), unjudged distractors. */
    private static final String[][] TRAIN = {
        {"secure shell client", "openssh lets you log in to remote machines securely"},
        {"image editor", "gimp edits and retouches raster images"},
        {"version control", "git tracks changes to source code"},
        {"pdf viewer", "evince shows pdf and postscript documents"},
        {"office suite", "libreoffice writes documents spreadsheets and slides"},
        {"media player", "vlc plays almost any video or audio file"},
        {"password manager", "keepassxc stores passwords in an encrypted database"},
        {"firewall tool", "ufw is an uncomplicated front end for netfilter"},
    };
    private static final String[][] DEV = {
        {"http server", "nginx serves web pages fast"},
        {"text editor", "vim edits plain text files"},
        {"compress files", "gzip makes files smaller"},
        {"play music", "an audio player for mp3 files"},
    };
    private static final String[] DISTRACTORS = {"a tetris clone for the console", "weather applet",
        "a font with chinese glyphs", "tools for the ext4 file system", "a scanner frontend", "an irc chat client"};

    private static List<String> texts() {
        List<String> t = new ArrayList<>();
        for (String[] p : TRAIN) {
            t.addAll(List.of(p));
        }
        for (String[] p : DEV) {
            t.addAll(List.of(p));
        }
        t.addAll(List.of(DISTRACTORS));
        return t;
    }

    private static Path data(Path dir, boolean overlap) throws IOException {
        Files.createDirectories(dir.resolve("qrels"));
        StringBuilder corpus = new StringBuilder();
        StringBuilder queries = new StringBuilder();
        StringBuilder train = new StringBuilder("query-id\tcorpus-id\tscore\n");
        StringBuilder dev = new StringBuilder("query-id\tcorpus-id\tscore\n");
        for (int i = 0; i < TRAIN.length; i++) {
            corpus.append(String.format("{\"_id\": \"a%d\", \"title\": \"\", \"text\": \"%s\"}%n", i, TRAIN[i][1]));
            queries.append(String.format("{\"_id\": \"t%d\", \"text\": \"%s\"}%n", i, TRAIN[i][0]));
            train.append("t").append(i).append("\ta").append(i).append("\t1\n");
        }
        for (int i = 0; i < DEV.length; i++) {
            corpus.append(String.format("{\"_id\": \"b%d\", \"title\": \"\", \"text\": \"%s\"}%n", i, DEV[i][1]));
            queries.append(String.format("{\"_id\": \"v%d\", \"text\": \"%s\"}%n", i, DEV[i][0]));
            dev.append("v").append(i).append("\tb").append(i).append("\t1\n");
        }
        if (overlap) {
            dev.append("t0\ta0\t1\n");
        }
        for (int i = 0; i < DISTRACTORS.length; i++) {
            corpus.append(String.format("{\"_id\": \"x%d\", \"title\": \"\", \"text\": \"%s\"}%n", i, DISTRACTORS[i]));
        }
        Files.writeString(dir.resolve("corpus.jsonl"), corpus);
        Files.writeString(dir.resolve("queries.jsonl"), queries);
        Files.writeString(dir.resolve("qrels/train.tsv"), train);
        Files.writeString(dir.resolve("qrels/dev.tsv"), dev);
        return dir;
    }

    private static String[] args(Path model, Path data, Path out) {
        return args(model, data, out, "random,hard");
    }

    private static String[] args(Path model, Path data, Path out, String strategies) {
        return new String[] {"advise", "--model", model.toString(), "--data", data.toString(), "--output",
            out.toString(), "--batch-size", "2", "--group-size", "2", "--negatives-per-query", "1", "--hard-ranks", "0,6",
            "--distractors", "3", "--lr", "1e-3", "--strategies", strategies, "--seed", "3"};
    }

    @Test
    void advisePrintsTheTablesAndTheAdviceAndWritesBothFiles(@TempDir Path tmp) throws IOException {
        Path model = CliTestKit.tinyModel(tmp.resolve("model"), texts(), 5);
        Path out = tmp.resolve("advice");
        CliTestKit.Run r = CliTestKit.run(args(model, data(tmp.resolve("data"), false), out));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("train: 8 queries, negatives from 11 docs | dev: 4 queries over 7 docs"), r.out());
        assertTrue(r.out().contains("learning curve (hard negatives)"), r.out());
        assertTrue(r.out().contains("negatives at 50 % of the data"), r.out());
        assertTrue(r.out().contains("- model size: "), r.out());
        assertTrue(r.out().contains("wrote " + out.resolve("advice.md")), r.out());
        String md = Files.readString(out.resolve("advice.md"));
        assertTrue(md.startsWith("<!-- written by bge4j advise -->"), md);
        JsonNode j = new ObjectMapper().readTree(Files.readString(out.resolve("advice.json")));
        assertEquals(List.of(2, 4, 8), List.of(j.get("curve").get(0).get("examples").asInt(),
                j.get("curve").get(1).get("examples").asInt(), j.get("curve").get(2).get("examples").asInt()));
        assertEquals("hard", j.get("curve_strategy").asText());
        assertEquals(2, j.get("negatives").size());
    }

    @Test
    void aFileBge4jDidNotWriteIsLeftAlone(@TempDir Path tmp) throws IOException {
        Path model = CliTestKit.tinyModel(tmp.resolve("model"), texts(), 5);
        Path out = Files.createDirectories(tmp.resolve("advice"));
        Files.writeString(out.resolve("advice.md"), "my notes\n");
        String[] a = args(model, data(tmp.resolve("data"), false), out, "none");
        List<String> quick = new ArrayList<>(List.of(a));
        quick.addAll(List.of("--fractions", "0.5,1"));
        CliTestKit.Run r = CliTestKit.run(quick.toArray(String[]::new));
        assertEquals(0, r.code(), r.err() + r.out());
        assertEquals("my notes\n", Files.readString(out.resolve("advice.md")));
        assertTrue(r.out().contains("skipped " + out.resolve("advice.md") + ": "), r.out());
        assertTrue(Files.exists(out.resolve("advice.json")));
    }

    @Test
    void sharedTrainAndDevQueriesAndUnknownStrategiesAreRefused(@TempDir Path tmp) throws IOException {
        Path model = CliTestKit.tinyModel(tmp.resolve("model"), texts(), 5);
        CliTestKit.Run r = CliTestKit.run(args(model, data(tmp.resolve("data"), true), tmp.resolve("o")));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("the train and dev qrels share queries (e.g. [t0])"), r.err());
        CliTestKit.Run u = CliTestKit.run(args(model, tmp.resolve("data"), tmp.resolve("o"), "random,hardest"));
        assertEquals(2, u.code());
        assertTrue(u.err().contains("unknown negative strategy 'hardest'; use in-batch, random, hard or hard-margin"),
                u.err());
    }
}
