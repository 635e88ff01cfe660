package io.bge4j.langchain4j;

import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small slice of the shipped Debian test split: the first {@code queries} judged test queries, their relevant
 * documents, and the first corpus documents as distractors up to {@code documents} in all.
 */
record DebianSlice(Queries queries, Corpus corpus, Qrels qrels) {

    static DebianSlice load(int queries, int documents) {
        BeirDataset test = BeirDataset.load(dataDir(), "test");
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        Set<String> docIds = new LinkedHashSet<>();
        for (var e : test.qrels().byQuery().entrySet()) {
            if (judged.size() == queries) {
                break;
            }
            judged.put(e.getKey(), e.getValue());
            texts.put(e.getKey(), test.queries().text(e.getKey()));
            docIds.addAll(e.getValue().keySet());
        }
        for (String id : test.corpus().ids()) {
            if (docIds.size() >= documents) {
                break;
            }
            docIds.add(id);
        }
        List<CorpusDocument> docs = new ArrayList<>();
        for (String id : docIds) {
            docs.add(test.corpus().byId(id).orElseThrow());
        }
        return new DebianSlice(Queries.of(texts), Corpus.of(docs), Qrels.of(judged));
    }

    static Path dataDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/debian-packages-en");
            if (Files.isDirectory(d)) {
                return d;
            }
        }
        throw new IllegalStateException("data/debian-packages-en not found above " + Path.of("").toAbsolutePath());
    }
}
