package io.bge4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.search.EmbeddingCache;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrievalEvaluatorTest {

    static Path fixture() {
        try {
            return Path.of(RetrievalEvaluatorTest.class.getResource("/debian-packages-mini/corpus.jsonl").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Corpus CORPUS = Corpus.of(List.of(
            new CorpusDocument("d1", "Nginx", "small fast web server"),
            new CorpusDocument("d2", "", "python library for parsing json"),
            new CorpusDocument("d3", "Apache", "web server with modules"),
            new CorpusDocument("q1", "", "a document that shares the id of query q1")));

    @Test
    void encodesQueriesWithInstructionAndDocumentsAsTitlePlusText() {
        Queries queries = Queries.of(Map.of("q1", "web server", "q2", "json parsing", "q9", "no judgements"));
        Map<String, Map<String, Integer>> judged = new java.util.LinkedHashMap<>();
        judged.put("q1", Map.of("d1", 2, "d3", 1));
        judged.put("q2", Map.of("d2", 1));
        Qrels qrels = Qrels.of(judged);
        HashingEmbedder emb = new HashingEmbedder(64, "Represent this: ");
        EvaluationResult r = RetrievalEvaluator.builder().queries(queries).corpus(CORPUS).qrels(qrels)
                .cutoffs(List.of(1, 2, 10)).keepRun(true).build().evaluate(emb);
        assertEquals(1, emb.queryCalls.size());
        // only judged queries, in qrels order; the instruction is the embedder's business (encodeQueries)
        assertEquals(List.of("web server", "json parsing"), emb.queryCalls.get(0));
        assertEquals(List.of("Nginx small fast web server", "python library for parsing json",
                "Apache web server with modules", "a document that shares the id of query q1"), emb.corpusCalls.get(0));
        assertEquals(2, r.counts().evaluated());
        // every document is retrieved (depth 10 > corpus of 4)
        assertEquals(4, r.run().ranking("q1").size());
        assertEquals(Map.of("q1", "web server", "q2", "json parsing"), r.queryTexts());
        // q2: "json parsing" shares "json" and "parsing" only with d2 → rank 1
        assertEquals(1.0, r.value("q2", Metric.parse("mrr@10")).orElseThrow(), 1e-12);
        // q1: d1 and d3 both contain "web server"; whichever is first, both are in the top 2
        assertEquals(1.0, r.value("q1", Metric.parse("recall@2")).orElseThrow(), 1e-12);
    }

    @Test
    void excludeIdenticalIdsDropsTheQuerysOwnDocument() {
        Queries queries = Queries.of(Map.of("q1", "a document that shares the id of query q1"));
        Qrels qrels = Qrels.of(Map.of("q1", Map.of("d1", 1)));
        HashingEmbedder emb = new HashingEmbedder(64, "");
        EvaluationResult with = RetrievalEvaluator.builder().queries(queries).corpus(CORPUS).qrels(qrels)
                .cutoffs(List.of(10)).keepRun(true).build().evaluate(emb);
        assertEquals("q1", with.run().ranking("q1").get(0).docId());
        EvaluationResult without = RetrievalEvaluator.builder().queries(queries).corpus(CORPUS).qrels(qrels)
                .cutoffs(List.of(10)).keepRun(true).excludeIdenticalIds(true).build().evaluate(emb);
        assertEquals(3, without.run().ranking("q1").size());
        assertTrue(without.run().ranking("q1").stream().noneMatch(d -> d.docId().equals("q1")));
    }

    @Test
    void realBeirFixtureMatchesAnIndependentBruteForceComputation(@TempDir Path tmp) {
        BeirDataset ds = BeirDataset.load(fixture(), "test");
        assertEquals(50, ds.corpus().size());
        assertEquals(20, ds.queries().size());
        HashingEmbedder emb = new HashingEmbedder(512, "");
        EmbeddingCache cache = EmbeddingCache.in(tmp);
        RetrievalEvaluator evaluator = RetrievalEvaluator.builder().queries(ds.queries()).corpus(ds.corpus())
                .qrels(ds.qrels()).embeddingCache(cache).chunkSize(7).queryBatchSize(3).build();
        EvaluationResult r = evaluator.evaluate(emb);
        assertEquals(new QueryCounts(20, 0, 0, 0), r.counts());

        // Independent check: each query has exactly one relevant document (qN → dN), so MRR@10 is the mean
        // of 1/rank, with rank from plain dot products (ties: document id descending, as trec_eval).
        double mrr = 0;
        double hits1 = 0;
        for (String qid : ds.queries().byId().keySet()) {
            float[] q = HashingEmbedder.embed(ds.queries().text(qid), 512);
            String relevant = "d" + qid.substring(1);
            List<Integer> order = new ArrayList<>(IntStream.range(0, ds.corpus().size()).boxed().toList());
            double[] s = new double[ds.corpus().size()];
            for (int i = 0; i < s.length; i++) {
                float[] d = HashingEmbedder.embed(ds.corpus().get(i).fullText(), 512);
                float dot = 0;
                for (int j = 0; j < 512; j++) {
                    dot += q[j] * d[j];
                }
                s[i] = dot;
            }
            order.sort(Comparator.<Integer>comparingDouble(i -> -s[i])
                    .thenComparing(i -> ds.corpus().get(i).id(), Comparator.reverseOrder()));
            int rank = 1 + order.stream().map(i -> ds.corpus().get(i).id()).toList().indexOf(relevant);
            mrr += rank <= 10 ? 1.0 / rank : 0;
            hits1 += rank == 1 ? 1 : 0;
        }
        assertEquals(mrr / 20, r.mean(Metric.parse("mrr@10")), 1e-6);
        assertEquals(hits1 / 20, r.mean(Metric.parse("accuracy@1")), 1e-9);
        // with one relevant document per query, recall@100 covers the whole corpus of 50
        assertEquals(1.0, r.mean(Metric.parse("recall@100")), 0.0);
        // bag of words finds most synopses: a sanity floor that a broken pipeline would not reach
        assertTrue(r.mean(Metric.NDCG_AT_10) > 0.5, "ndcg@10 = " + r.mean(Metric.NDCG_AT_10));

        // the second evaluation reads the corpus embeddings from the cache
        EvaluationResult again = evaluator.evaluate(emb);
        assertEquals(1, emb.corpusCalls.size());
        assertEquals(r.mean(), again.mean());
    }

    @Test
    void builderNamesBadOptions() {
        Queries q = Queries.of(Map.of("q", "x"));
        Qrels qrels = Qrels.of(Map.of("q", Map.of("d1", 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RetrievalEvaluator.builder().queries(q).corpus(CORPUS).qrels(qrels).searchDepth(10).build());
        assertTrue(e.getMessage().contains("searchDepth 10") && e.getMessage().contains("100"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RetrievalEvaluator.builder().corpus(CORPUS).qrels(qrels).build()).getMessage().contains("queries"));
        Evaluator ev = RetrievalEvaluator.builder().name("dev").queries(q).corpus(CORPUS).qrels(qrels)
                .cutoffs(List.of(1, 5)).build();
        assertEquals("dev", ev.name());
        EvaluationResult r = ev.evaluate(new HashingEmbedder(16, ""));
        assertEquals(Metric.parse("ndcg@1"), r.primary()); // no ndcg@10: the first metric
        assertEquals(14, r.scalars().size());
    }
}
