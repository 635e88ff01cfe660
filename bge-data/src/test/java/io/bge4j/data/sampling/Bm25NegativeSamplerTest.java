package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.util.List;
import org.junit.jupiter.api.Test;

class Bm25NegativeSamplerTest {

    @Test
    void englishRanksLexicalNeighboursFirstAndSkipsThePositive() {
        Corpus corpus = Corpus.of(List.of(
                new CorpusDocument("pos", "Nginx", "Install nginx with apt and start the web server."),
                new CorpusDocument("n1", "", "Configuring nginx as a reverse proxy web server."),
                new CorpusDocument("n2", "", "Apache is another web server; installing it uses apt."),
                new CorpusDocument("n3", "", "Chocolate cake needs flour, sugar and eggs."),
                new CorpusDocument("n4", "", "The tide rises twice a day.")));
        // the positive is given without its title and in another case: matched by normalised body text
        List<TrainingExample> ex = List.of(TrainingExample.of("how to install the nginx web server",
                List.of("INSTALL nginx with apt and start the web server."), List.of()));
        SamplingResult r = Bm25NegativeSampler.builder().language(Bm25Language.ENGLISH).rankWindow(0, 3)
                .negativesPerQuery(2).selection(Selection.TOP).topUpWithRandom(false).build().sample(ex, corpus);
        List<SampledNegative> prov = r.provenance().get(0);
        assertEquals(List.of("n1", "n2"), prov.stream().map(SampledNegative::docId).sorted().toList());
        assertTrue(prov.stream().allMatch(s -> s.rank() >= 1 && s.rank() < 3 && s.score() > 0));
        assertEquals(1, r.report().candidatesSkippedAsPositive());
        assertEquals(0, r.report().positivesNotInCorpus());
        assertEquals(List.of(corpus.get(1).fullText(), corpus.get(2).fullText()).stream().sorted().toList(),
                r.examples().get(0).negatives().stream().sorted().toList());
    }

    @Test
    void chineseAnalyzersFindDocumentsSharingWords() {
        Corpus corpus = Corpus.of(List.of(
                new CorpusDocument("pos", "", "如何重置我的账户密码"),
                new CorpusDocument("close", "", "忘记密码后如何登录账户"),
                new CorpusDocument("far1", "", "今天的天气非常晴朗"),
                new CorpusDocument("far2", "", "咖啡豆需要烘焙和研磨"),
                new CorpusDocument("far3", "", "番茄需要充足的阳光和水")));
        List<TrainingExample> ex = List.of(TrainingExample.of("账户密码怎么重置", List.of("如何重置我的账户密码"), List.of()));
        for (Bm25Language lang : List.of(Bm25Language.CHINESE, Bm25Language.CJK_BIGRAM)) {
            SamplingResult r = Bm25NegativeSampler.builder().language(lang).rankWindow(0, 5).negativesPerQuery(1)
                    .topUpWithRandom(false).build().sample(ex, corpus);
            assertEquals("close", r.provenance().get(0).get(0).docId(), lang + " should rank the shared-word document first");
        }
    }

    @Test
    void topsUpFromOutsideTheRankingWhenTheQueryMatchesLittle() {
        Corpus corpus = Corpus.of(List.of(
                new CorpusDocument("a", "", "alpha beta"), new CorpusDocument("b", "", "gamma delta"),
                new CorpusDocument("c", "", "epsilon zeta"), new CorpusDocument("d", "", "eta theta"),
                new CorpusDocument("e", "", "iota kappa")));
        List<TrainingExample> ex = List.of(
                TrainingExample.of("alpha", List.of("iota kappa"), List.of()),
                TrainingExample.of("the of and", List.of("alpha beta"), List.of())); // only stop words: no BM25 hits
        SamplingResult r = Bm25NegativeSampler.builder().rankWindow(0, 10).negativesPerQuery(3).seed(3).build()
                .sample(ex, corpus);
        assertEquals("a", r.provenance().get(0).get(0).docId());
        assertEquals(2, r.provenance().get(0).stream().filter(SampledNegative::toppedUp).count());
        assertEquals(3, r.provenance().get(1).stream().filter(SampledNegative::toppedUp).count());
        assertTrue(r.examples().get(1).negatives().stream().noneMatch("alpha beta"::equals));
        assertEquals(2, r.report().examplesToppedUp());
        assertEquals(5, r.report().negativesToppedUp());
        assertEquals(0, r.report().examplesShort());
        // same seed, same result; the parallel search does not change it
        SamplingResult again = Bm25NegativeSampler.builder().rankWindow(0, 10).negativesPerQuery(3).seed(3).threads(1)
                .build().sample(ex, corpus);
        assertEquals(r.examples(), again.examples());
    }

    @Test
    void builderNamesBadOptions() {
        assertEquals("bm25 b must be in [0, 1], was 2.0", assertThrows(IllegalArgumentException.class,
                () -> Bm25NegativeSampler.builder().bm25(1.2f, 2f).build()).getMessage());
        assertEquals("threads must be at least 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> Bm25NegativeSampler.builder().threads(0).build()).getMessage());
    }
}
