package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.ScoredDoc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * bge-small-en-v1.5 behind the adapter, through langchain4j's own ingestor, {@link InMemoryEmbeddingStore} and
 * content retriever, ranks a slice of the Debian test split (20 queries, 60 documents) in the same order, with the
 * same cosine scores, as bge4j's {@link RetrievalEvaluator} (exact search) does with the same embedder. Texts are cut
 * at 48 tokens on both sides to keep the test to seconds; the comparison does not depend on the cut.
 */
@ExtendWith(BgeSmallEn.class)
class InMemoryStoreRankingTest {

    private static final int K = 10;

    @Test
    void rankingThroughLangchain4jEqualsTheEvaluatorsRun(BgeModel bge) {
        DebianSlice slice = DebianSlice.load(20, 60);
        try (Embedder embedder = bge.embedder().batchSize(32).maxLength(48).build()) {
            RetrievalEvaluator evaluator = RetrievalEvaluator.builder().queries(slice.queries()).corpus(slice.corpus())
                    .qrels(slice.qrels()).cutoffs(List.of(K)).searchDepth(K).keepRun(true).build();
            EvaluationResult reference = evaluator.evaluate(embedder);

            BgeLangChain4jEmbeddingModel model = BgeLangChain4jEmbeddingModel.builder().embedder(embedder).build();
            InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
            List<Document> documents = new ArrayList<>();
            for (var d : slice.corpus().documents()) {
                documents.add(Document.from(d.fullText(), Metadata.from("doc_id", d.id())));
            }
            EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store)
                    .documentSplitter(doc -> List.of(doc.toTextSegment()))
                    .embeddingInputType(EmbeddingInputType.DOCUMENT).build().ingest(documents);
            assertEquals(slice.corpus().size(), store.size());

            EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder().embeddingStore(store)
                    .embeddingModel(model).maxResults(K).minScore(0.0).embeddingInputType(EmbeddingInputType.QUERY)
                    .build();
            // the same store searched with query vectors that lack the instruction (first 3 queries): must score differently
            EmbeddingStoreContentRetriever withoutInstruction = EmbeddingStoreContentRetriever.builder()
                    .embeddingStore(store).embeddingModel(model).maxResults(K).minScore(0.0).build();

            int changedWithoutInstruction = 0;
            int checkedWithoutInstruction = 0;
            for (String qid : evaluator.queryIds()) {
                List<ScoredDoc> want = reference.run().ranking(qid);
                String text = slice.queries().text(qid);
                List<Content> got = retriever.retrieve(Query.from(text));
                assertEquals(want.size(), got.size(), qid);
                for (int r = 0; r < want.size(); r++) {
                    String gotId = got.get(r).textSegment().metadata().getString("doc_id");
                    assertEquals(want.get(r).docId(), gotId, qid + " rank " + (r + 1));
                    // InMemoryEmbeddingStore reports (cos + 1) / 2
                    double cos = 2 * (Double) got.get(r).metadata().get(ContentMetadata.SCORE) - 1;
                    assertEquals(want.get(r).score(), cos, 2e-5, qid + " rank " + (r + 1) + " score");
                }
                if (checkedWithoutInstruction++ < 3) {
                    List<Content> plain = withoutInstruction.retrieve(Query.from(text));
                    double topPlain = 2 * (Double) plain.get(0).metadata().get(ContentMetadata.SCORE) - 1;
                    if (Math.abs(topPlain - want.get(0).score()) > 1e-4) {
                        changedWithoutInstruction++;
                    }
                }
            }
            assertEquals(20, evaluator.queryIds().size());
            assertTrue(changedWithoutInstruction > 0, "query vectors without the BGE instruction should score differently");
            assertTrue(reference.mean(Metric.NDCG_AT_10) > 0.5, "sanity: bge-small finds the Debian positives");
        }
    }
}
