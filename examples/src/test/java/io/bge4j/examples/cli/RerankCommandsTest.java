package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.DOCS;
import static io.bge4j.examples.cli.CliTestKit.QUERIES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rerank-finetune}, {@code score} and {@code evaluate --rerank} on tiny models and files. */
class RerankCommandsTest {

    @TempDir
    Path tmp;

    private Path trainFile() throws Exception {
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            t.append("{\"query\": \"").append(QUERIES[i][1]).append("\", \"pos\": [\"").append(DOCS[i][1])
                    .append("\"], \"neg\": [\"").append(DOCS[(i + 1) % 8][1]).append("\", \"").append(DOCS[(i + 2) % 8][1])
                    .append("\"]}\n");
        }
        Path train = tmp.resolve("train.jsonl");
        Files.writeString(train, t);
        return train;
    }

    @Test
    void finetuneThenScoreThenEvaluateWithReranking() throws Exception {
        Path emb = CliTestKit.tinyModel(tmp.resolve("emb"), CliTestKit.allTexts(), 3);
        Path train = trainFile();
        Path ce = tmp.resolve("ce");
        CliTestKit.Run ft = CliTestKit.run("rerank-finetune", "--model", emb.toString(), "--train", train.toString(),
                "--output", ce.toString(), "--group-size", "3", "--batch-size", "2", "--epochs", "2",
                "--query-max-len", "16", "--passage-max-len", "32", "--no-progress");
        assertEquals(0, ft.code(), ft.err());
        assertTrue(ft.out().contains("4 steps"), ft.out());
        assertTrue(CrossEncoders.isCrossEncoder(ce));

        // a second run starts from the saved cross-encoder instead of a new head
        CliTestKit.Run again = CliTestKit.run("rerank-finetune", "--model", ce.toString(), "--train", train.toString(),
                "--output", tmp.resolve("ce2").toString(), "--max-steps", "1", "--group-size", "3",
                "--query-max-len", "16", "--passage-max-len", "32", "--no-progress");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("BERT_POOLER"), again.out());

        Path scored = tmp.resolve("scored.jsonl");
        CliTestKit.Run sc = CliTestKit.run("score", "--reranker", ce.toString(), "--input", train.toString(),
                "--output", scored.toString(), "--max-length", "64");
        assertEquals(0, sc.code(), sc.err());
        assertTrue(sc.out().contains("scored 4 examples (12 pairs)"), sc.out());
        List<TrainingExample> back = TrainingSet.readJsonl(scored).examples();
        try (CrossEncoder model = CrossEncoder.loader().limits(PairLimits.inference(64)).load(ce)) {
            TrainingExample e = back.get(1);
            float[] expected = model.score(e.query(), List.of(e.positives().get(0), e.negatives().get(0),
                    e.negatives().get(1)));
            assertEquals(expected[0], e.positiveScores().get(0), 1e-6);
            assertEquals(expected[2], e.negativeScores().get(1), 1e-6);
        }

        Path filtered = tmp.resolve("filtered.jsonl");
        CliTestKit.Run fl = CliTestKit.run("score", "--reranker", ce.toString(), "--input", train.toString(),
                "--output", filtered.toString(), "--drop-margin", "1000");
        assertEquals(0, fl.code(), fl.err());
        assertTrue(fl.out().contains("dropped 8 of 8"), fl.out());  // a huge margin drops every negative

        Path data = CliTestKit.beir(tmp.resolve("beir"), "test", 8);
        Path json = tmp.resolve("rerank.json");
        CliTestKit.Run ev = CliTestKit.run("evaluate", "--model", emb.toString(), "--data", data.toString(),
                "--rerank", ce.toString(), "--rerank-top-k", "5", "--rerank-output", json.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("reranking the top 5"), ev.out());
        assertTrue(ev.out().contains("(reranked top 5) vs base"), ev.out());
        assertTrue(ev.out().contains("40 pairs reranked"), ev.out());
        assertTrue(Files.readString(json).contains("ndcg@10"));
    }

    @Test
    void badOptionsGetActionableMessages() throws Exception {
        Path emb = CliTestKit.tinyModel(tmp.resolve("emb"), CliTestKit.allTexts(), 3);
        Path train = trainFile();
        CliTestKit.Run r = CliTestKit.run("rerank-finetune", "--model", emb.toString(), "--train", train.toString(),
                "--output", tmp.resolve("x").toString(), "--group-size", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("groupSize"), r.err());
        CliTestKit.Run s = CliTestKit.run("score", "--reranker", emb.toString(), "--input", train.toString(),
                "--output", tmp.resolve("s.jsonl").toString());
        assertEquals(1, s.code());
        assertTrue(s.err().contains("is not a cross-encoder"), s.err());
        CliTestKit.Run d = CliTestKit.run("rerank-finetune", "--model", emb.toString(), "--train", train.toString(),
                "--output", tmp.resolve("x").toString(), "--distillation", "maybe");
        assertEquals(2, d.code());
        assertTrue(d.err().contains("auto, on or off"), d.err());
    }
}
