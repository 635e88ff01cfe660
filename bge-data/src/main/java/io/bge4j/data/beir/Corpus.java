package io.bge4j.data.beir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, ordered collection of documents with unique ids.
 *
 * <p>Usage: {@code Corpus c = Corpus.of(List.of(new CorpusDocument("d1", "", "text")));}
 */
public final class Corpus {
    private final List<CorpusDocument> documents;
    private final Map<String, Integer> indexById;

    private Corpus(List<CorpusDocument> documents) {
        this.documents = Collections.unmodifiableList(new ArrayList<>(documents));
        Map<String, Integer> index = new HashMap<>(documents.size() * 2);
        for (int i = 0; i < this.documents.size(); i++) {
            Integer previous = index.putIfAbsent(this.documents.get(i).id(), i);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate document id '" + this.documents.get(i).id()
                        + "' at positions " + previous + " and " + i);
            }
        }
        this.indexById = index;
    }

    /**
     * @param documents documents with unique ids
     * @return the corpus
     * @throws IllegalArgumentException on a duplicate id
     */
    public static Corpus of(List<CorpusDocument> documents) {
        return new Corpus(documents);
    }

    /**
     * A retrieval corpus for a subset of queries: every document of {@code all} judged for one of {@code queryIds}
     * (in query order, then judgement order; judged ids missing from {@code all} are skipped), then the distractors
     * not already in it, each id once.
     *
     * <p>Usage: {@code Corpus test = Corpus.forQueries(all, qrels, testIds, distractorPool.subList(0, 250));}
     *
     * @param all the documents judged ids are looked up in
     * @param qrels the judgements
     * @param queryIds the queries whose judged documents belong in the corpus
     * @param distractors unjudged documents to add
     * @return the corpus
     */
    public static Corpus forQueries(Corpus all, Qrels qrels, java.util.Collection<String> queryIds,
            java.util.Collection<CorpusDocument> distractors) {
        Map<String, CorpusDocument> docs = new java.util.LinkedHashMap<>();
        for (String q : queryIds) {
            for (String d : qrels.judgements(q).keySet()) {
                all.byId(d).ifPresent(doc -> docs.put(doc.id(), doc));
            }
        }
        for (CorpusDocument d : distractors) {
            docs.putIfAbsent(d.id(), d);
        }
        return new Corpus(new ArrayList<>(docs.values()));
    }

    /**
     * Reads a {@code corpus.jsonl} file (see {@link CorpusJsonl}).
     *
     * @param file the corpus file
     * @return the corpus
     */
    public static Corpus readJsonl(Path file) {
        return CorpusJsonl.read(file);
    }

    /** @return the documents, in order */
    public List<CorpusDocument> documents() {
        return documents;
    }

    /** @return the number of documents */
    public int size() {
        return documents.size();
    }

    /**
     * @param position 0-based position
     * @return the document there
     */
    public CorpusDocument get(int position) {
        return documents.get(position);
    }

    /**
     * @param id a document id
     * @return the document, if present
     */
    public Optional<CorpusDocument> byId(String id) {
        Integer i = indexById.get(id);
        return i == null ? Optional.empty() : Optional.of(documents.get(i));
    }

    /**
     * @param id a document id
     * @return its 0-based position, or -1
     */
    public int positionOf(String id) {
        Integer i = indexById.get(id);
        return i == null ? -1 : i;
    }

    /** @return every document's id, in order */
    public List<String> ids() {
        List<String> ids = new ArrayList<>(documents.size());
        for (CorpusDocument d : documents) {
            ids.add(d.id());
        }
        return ids;
    }

    /** @return every document's {@link CorpusDocument#fullText()}, in order */
    public List<String> fullTexts() {
        List<String> texts = new ArrayList<>(documents.size());
        for (CorpusDocument d : documents) {
            texts.add(d.fullText());
        }
        return texts;
    }
}
