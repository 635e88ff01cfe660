package io.bge4j.core.rerank;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tokenized query-passage pair: token ids with special tokens, and their segment (token type) ids.
 *
 * <p>Usage: {@code EncodedPair p = tokenizer.encode("apt", "apt installs packages", limits);}
 *
 * @param ids token ids, special tokens included
 * @param typeIds segment ids, parallel to {@code ids} (all 0 for XLM-R)
 */
public record EncodedPair(long[] ids, long[] typeIds) {

    /** Checks that both arrays have the same length. */
    public EncodedPair {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(typeIds, "typeIds");
        if (ids.length != typeIds.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + typeIds.length + " type ids");
        }
    }

    /** @return the number of tokens */
    public int length() {
        return ids.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedPair p && Arrays.equals(ids, p.ids) && Arrays.equals(typeIds, p.typeIds);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(typeIds);
    }

    @Override
    public String toString() {
        return "EncodedPair" + Arrays.toString(ids) + "/" + Arrays.toString(typeIds);
    }
}
