package io.bge4j.train.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Length-aware chunks of a step's texts: the texts sorted by token length and cut into chunks, so that each
 * chunk pads only to its own longest text; with the permutation back to the original order for the loss.
 *
 * <p>Two ways to cut: {@link #byCount} (at most {@code n} texts per chunk, e.g. a GradCache chunk size) and
 * {@link #byTokenBudget} (as many texts as fit in {@code budget} padded tokens, e.g. from the
 * {@link MemoryPlanner}). Chunks are listed from the shortest texts to the longest.
 *
 * <p>Usage:
 * <pre>{@code
 * LengthChunks plan = LengthChunks.byCount(lengths(ids), 16);
 * NDList parts = new NDList();
 * for (int[] chunk : plan.chunks()) parts.add(model.embed(m, plan.select(ids, chunk), true));
 * NDArray inOrder = plan.restore(NDArrays.concat(parts, 0)); // row i = text i of ids
 * }</pre>
 *
 * @param lengths token length of each text, in the original order
 * @param chunks original indices of the texts of each chunk; their concatenation is {@link #order()}
 */
public record LengthChunks(int[] lengths, List<int[]> chunks) {

    /** Copies the arrays and checks that the chunks are a permutation of the texts. */
    public LengthChunks {
        lengths = lengths.clone();
        List<int[]> copy = new ArrayList<>();
        boolean[] seen = new boolean[lengths.length];
        int count = 0;
        for (int[] c : chunks) {
            if (c.length == 0) {
                throw new IllegalArgumentException("a chunk must hold at least one text");
            }
            for (int i : c) {
                if (i < 0 || i >= lengths.length || seen[i]) {
                    throw new IllegalArgumentException("chunks must hold every text index once; bad index " + i);
                }
                seen[i] = true;
                count++;
            }
            copy.add(c.clone());
        }
        if (count != lengths.length) {
            throw new IllegalArgumentException("chunks hold " + count + " texts but there are " + lengths.length);
        }
        chunks = Collections.unmodifiableList(copy);
    }

    /** @return a copy of the token length of each text, in the original order */
    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /** @return a copy of the chunks (original indices per chunk, shortest texts first) */
    @Override
    public List<int[]> chunks() {
        List<int[]> out = new ArrayList<>(chunks.size());
        for (int[] c : chunks) {
            out.add(c.clone());
        }
        return Collections.unmodifiableList(out);
    }

    /** @param ids token ids per text @return the length of each */
    public static int[] lengths(long[][] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i].length;
        }
        return out;
    }

    /**
     * Sorts by length and cuts into chunks of at most {@code maxTexts}. All chunks but one hold exactly
     * {@code maxTexts} texts (the same chunk sizes as cutting the texts in their given order); the short one
     * is placed where it pads least, so the padded total is never above that of cutting in the given order.
     *
     * @param lengths token length per text (each &gt;= 1)
     * @param maxTexts texts per chunk (&gt;= 1)
     * @return the chunks
     */
    public static LengthChunks byCount(int[] lengths, int maxTexts) {
        if (maxTexts < 1) {
            throw new IllegalArgumentException("maxTexts must be >= 1, got " + maxTexts);
        }
        Integer[] sorted = sortedIndices(lengths);
        int n = sorted.length;
        List<int[]> best = List.of();
        if (n > 0) {
            int m = (n + maxTexts - 1) / maxTexts;
            int rest = n - (m - 1) * maxTexts;
            long bestPadded = Long.MAX_VALUE;
            for (int pos = 0; pos < m; pos++) { // where the short chunk goes in the sorted order
                List<int[]> cut = new ArrayList<>();
                int start = 0;
                long padded = 0;
                for (int k = 0; k < m; k++) {
                    int size = k == pos ? rest : maxTexts;
                    int[] c = new int[size];
                    for (int j = 0; j < size; j++) {
                        c[j] = sorted[start + j];
                    }
                    padded += (long) size * lengths[c[size - 1]];
                    cut.add(c);
                    start += size;
                }
                if (padded < bestPadded) {
                    bestPadded = padded;
                    best = cut;
                }
            }
        }
        return new LengthChunks(lengths, best);
    }

    /**
     * Sorts by length and fills each chunk while {@code texts x longest <= budget} and the chunk holds at most
     * {@code maxTexts}.
     *
     * @param lengths token length per text (each &gt;= 1)
     * @param budget padded tokens per chunk; at least the longest text
     * @param maxTexts texts per chunk (&gt;= 1), e.g. {@code Integer.MAX_VALUE}
     * @return the chunks
     */
    public static LengthChunks byTokenBudget(int[] lengths, long budget, int maxTexts) {
        if (maxTexts < 1) {
            throw new IllegalArgumentException("maxTexts must be >= 1, got " + maxTexts);
        }
        Integer[] sorted = sortedIndices(lengths);
        int longest = sorted.length == 0 ? 0 : lengths[sorted[sorted.length - 1]];
        if (budget < longest) {
            throw new IllegalArgumentException("token budget " + budget + " is below the longest text (" + longest
                    + " tokens); raise the budget or truncate the texts");
        }
        List<int[]> chunks = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        for (int idx : sorted) { // ascending: the text being added is the chunk's longest
            if (!cur.isEmpty() && (cur.size() >= maxTexts || (long) (cur.size() + 1) * lengths[idx] > budget)) {
                chunks.add(cur.stream().mapToInt(Integer::intValue).toArray());
                cur.clear();
            }
            cur.add(idx);
        }
        if (!cur.isEmpty()) {
            chunks.add(cur.stream().mapToInt(Integer::intValue).toArray());
        }
        return new LengthChunks(lengths, chunks);
    }

    private static Integer[] sortedIndices(int[] lengths) {
        Integer[] idx = new Integer[lengths.length];
        for (int i = 0; i < idx.length; i++) {
            if (lengths[i] < 1) {
                throw new IllegalArgumentException("text " + i + " has length " + lengths[i] + "; lengths must be >= 1");
            }
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> lengths[a] != lengths[b] ? Integer.compare(lengths[a], lengths[b])
                : Integer.compare(a, b));
        return idx;
    }

    /** @return the original index of each row of the chunks' concatenated output */
    public int[] order() {
        int[] out = new int[lengths.length];
        int k = 0;
        for (int[] c : chunks) {
            for (int i : c) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** @return for each original index, its row in the concatenated output: {@code inverse[order[r]] = r} */
    public int[] inverse() {
        int[] order = order();
        int[] inv = new int[order.length];
        for (int r = 0; r < order.length; r++) {
            inv[order[r]] = r;
        }
        return inv;
    }

    /** @param chunk a chunk's indices @return the chunk's longest text, the length it pads to */
    public int paddedLength(int[] chunk) {
        int m = 0;
        for (int i : chunk) {
            m = Math.max(m, lengths[i]);
        }
        return m;
    }

    /** @return the sum of the texts' lengths */
    public long realTokens() {
        long s = 0;
        for (int l : lengths) {
            s += l;
        }
        return s;
    }

    /** @return tokens the encoder processes: per chunk, texts x its longest */
    public long processedTokens() {
        long s = 0;
        for (int[] c : chunks) {
            s += (long) c.length * paddedLength(c);
        }
        return s;
    }

    /** @return real / processed tokens, in (0, 1]; 1 for no texts */
    public double paddingEfficiency() {
        long p = processedTokens();
        return p == 0 ? 1 : realTokens() / (double) p;
    }

    /**
     * Padding efficiency of cutting the texts in their given order into chunks of {@code maxTexts}, the
     * baseline that {@link #byCount} improves on.
     *
     * @param lengths token length per text
     * @param maxTexts texts per chunk
     * @return real / processed tokens
     */
    public static double unsortedEfficiency(int[] lengths, int maxTexts) {
        long real = 0;
        long processed = 0;
        for (int start = 0; start < lengths.length; start += maxTexts) {
            int end = Math.min(lengths.length, start + maxTexts);
            int m = 0;
            for (int i = start; i < end; i++) {
                m = Math.max(m, lengths[i]);
                real += lengths[i];
            }
            processed += (long) (end - start) * m;
        }
        return processed == 0 ? 1 : real / (double) processed;
    }

    /** @param ids token ids per text (original order) @param chunk a chunk @return that chunk's ids */
    public long[][] select(long[][] ids, int[] chunk) {
        long[][] out = new long[chunk.length][];
        for (int j = 0; j < chunk.length; j++) {
            out[j] = ids[chunk[j]];
        }
        return out;
    }

    /**
     * Puts the rows of the chunks' concatenated output back in the original order (a gather, so gradients
     * flow through it).
     *
     * @param concatenated rows in {@link #order()}
     * @return rows in the original order, owned by the input's manager
     */
    public NDArray restore(NDArray concatenated) {
        int[] inv = inverse();
        long[] idx = new long[inv.length];
        for (int i = 0; i < inv.length; i++) {
            idx[i] = inv[i];
        }
        try (NDArray index = concatenated.getManager().create(idx)) {
            return concatenated.get(new NDIndex("{}", index));
        }
    }
}
