package io.bge4j.data.beir;

import java.util.Objects;

/**
 * One document of a retrieval corpus (a BEIR {@code corpus.jsonl} line).
 *
 * <p>Usage: {@code new CorpusDocument("d1", "", "apt is a package manager").fullText()}
 *
 * @param id the document id ({@code _id}), non-empty
 * @param title the title, empty when absent
 * @param text the body text
 */
public record CorpusDocument(String id, String title, String text) {

    /** Validates and normalises null title/text to empty. */
    public CorpusDocument {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("document id must not be empty");
        }
        title = title == null ? "" : title;
        text = text == null ? "" : text;
    }

    /** @return what an encoder sees: {@code title + " " + text}, or just the text when untitled */
    public String fullText() {
        return title.isEmpty() ? text : title + " " + text;
    }
}
