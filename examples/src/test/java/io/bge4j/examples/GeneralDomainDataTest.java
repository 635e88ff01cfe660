package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.beir.BeirDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shipped general-domain guard set loads and has the documented shape. */
class GeneralDomainDataTest {

    static final Path DATA = Path.of("../data/wordnet-nouns-en");

    @Test
    void wordnetSetHasTheDocumentedSplitsAndNoDanglingJudgements() throws Exception {
        BeirDataset test = BeirDataset.load(DATA, "test");
        BeirDataset dev = BeirDataset.load(DATA, "dev");
        assertEquals(3000, test.corpus().size());
        assertEquals(500, test.qrels().byQuery().size());
        assertEquals(200, dev.qrels().byQuery().size());
        Set<String> testQ = new HashSet<>(test.qrels().byQuery().keySet());
        for (String q : dev.qrels().byQuery().keySet()) {
            assertTrue(testQ.add(q), "query " + q + " is in both dev and test");
        }
        test.qrels().byQuery().forEach((q, j) -> j.keySet().forEach(d ->
                assertTrue(test.corpus().byId(d).isPresent(), q + " judges missing document " + d)));
        assertTrue(Files.readString(DATA.resolve("LICENSE")).contains("WordNet 3.0 Copyright 2006 by Princeton"));
    }
}
