package io.bge4j.data.beir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes relevance judgements in the BEIR TSV, TREC 4-column and FlagEmbedding JSONL
 * formats (see {@link QrelsFormat}). Files are read line by line; relevance must be an integer
 * (a number with an integral value such as {@code 1.0} is accepted). A judgement that repeats a
 * (query, document) pair replaces the earlier one, with a logged warning. Bad lines raise a
 * {@link DataFormatException} naming the file, the line and the field.
 *
 * <p>Usage: {@code Qrels qrels = QrelsFiles.read(Path.of("qrels/test.tsv"));}
 */
public final class QrelsFiles {
    private static final Logger LOG = LoggerFactory.getLogger(QrelsFiles.class);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final String JSONL_EXAMPLE = "{\"qid\": \"q1\", \"docid\": \"d1\", \"relevance\": 1}";

    private QrelsFiles() {
    }

    /**
     * Reads a qrels file, detecting the format: {@code .json}/{@code .jsonl} files (or a first line
     * starting with '{') are FlagEmbedding JSONL, three columns are BEIR, four columns are TREC.
     *
     * @param file the qrels file
     * @return the judgements, queries and documents in file order
     */
    public static Qrels read(Path file) {
        return read(file, detect(file));
    }

    /**
     * @param file the qrels file
     * @param format its format
     * @return the judgements, queries and documents in file order
     */
    public static Qrels read(Path file, QrelsFormat format) {
        Objects.requireNonNull(format, "format");
        Map<String, Map<String, Integer>> byQuery = new LinkedHashMap<>();
        long[] duplicates = new long[1];
        boolean[] first = {true};
        JsonLines.forEachLine(file, "qrels", (line, n) -> {
            boolean isFirst = first[0];
            first[0] = false;
            String qid;
            String docid;
            int rel;
            switch (format) {
                case BEIR_TSV -> {
                    String[] f = line.split("\t", -1);
                    if (f.length != 3) {
                        f = WHITESPACE.split(line.strip());
                    }
                    if (f.length != 3) {
                        throw new DataFormatException(file, n, null, "expected 3 tab-separated columns "
                                + "'query-id corpus-id score' but found " + f.length
                                + (f.length == 4 ? "; this looks like TREC qrels (qid 0 docid rel): read it as TREC" : ""));
                    }
                    if (isFirst && !looksNumeric(f[2])) {
                        return; // header line, e.g. query-id corpus-id score
                    }
                    qid = f[0].strip();
                    docid = f[1].strip();
                    rel = JsonLines.relevance(file, n, "score", f[2]);
                }
                case TREC -> {
                    String[] f = WHITESPACE.split(line.strip());
                    if (f.length != 4) {
                        throw new DataFormatException(file, n, null, "expected 4 whitespace-separated columns "
                                + "'qid iteration docid relevance' but found " + f.length
                                + (f.length == 3 ? "; this looks like BEIR qrels (query-id corpus-id score)" : ""));
                    }
                    qid = f[0];
                    docid = f[2];
                    rel = JsonLines.relevance(file, n, "relevance", f[3]);
                }
                case FLAG_JSONL -> {
                    ObjectNode obj = JsonLines.parseObject(file, n, line, JSONL_EXAMPLE);
                    qid = JsonLines.requiredId(file, n, obj, JSONL_EXAMPLE, "qid", "query-id", "query_id");
                    docid = JsonLines.requiredId(file, n, obj, JSONL_EXAMPLE, "docid", "corpus-id", "doc_id");
                    rel = jsonRelevance(file, n, obj);
                }
                default -> throw new IllegalStateException(format.toString());
            }
            if (qid.isEmpty() || docid.isEmpty()) {
                throw new DataFormatException(file, n, qid.isEmpty() ? "query-id" : "corpus-id",
                        "is empty; every judgement needs a query id and a document id");
            }
            if (byQuery.computeIfAbsent(qid, k -> new LinkedHashMap<>()).put(docid, rel) != null) {
                duplicates[0]++;
            }
        });
        if (duplicates[0] > 0) {
            LOG.warn("{}: {} judgements repeat a (query, document) pair; the later line wins", file, duplicates[0]);
        }
        return Qrels.of(byQuery);
    }

    /**
     * Writes judgements atomically.
     *
     * @param file the target file
     * @param qrels the judgements
     * @param format the format (BEIR TSV includes its header line)
     */
    public static void write(Path file, Qrels qrels, QrelsFormat format) {
        Objects.requireNonNull(format, "format");
        JsonLines.writeAtomically(file, out -> {
            if (format == QrelsFormat.BEIR_TSV) {
                out.write("query-id\tcorpus-id\tscore\n");
            }
            for (Map.Entry<String, Map<String, Integer>> q : qrels.byQuery().entrySet()) {
                for (Map.Entry<String, Integer> d : q.getValue().entrySet()) {
                    switch (format) {
                        case BEIR_TSV -> out.write(q.getKey() + "\t" + d.getKey() + "\t" + d.getValue() + "\n");
                        case TREC -> out.write(q.getKey() + " 0 " + d.getKey() + " " + d.getValue() + "\n");
                        case FLAG_JSONL -> {
                            ObjectNode node = JsonLines.MAPPER.createObjectNode();
                            node.put("qid", q.getKey());
                            node.put("docid", d.getKey());
                            node.put("relevance", d.getValue().intValue());
                            out.write(JsonLines.MAPPER.writeValueAsString(node));
                            out.write('\n');
                        }
                        default -> throw new IllegalStateException(format.toString());
                    }
                }
            }
        });
    }

    /**
     * @param file a qrels file
     * @return its format, judged by the extension and the first non-blank line
     */
    public static QrelsFormat detect(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return QrelsFormat.FLAG_JSONL;
        }
        try (BufferedReader in = JsonLines.open(file, "qrels")) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                String s = line.strip();
                if (s.startsWith("\uFEFF")) {
                    s = s.substring(1).strip();
                }
                if (s.isEmpty()) {
                    continue;
                }
                if (s.startsWith("{")) {
                    return QrelsFormat.FLAG_JSONL;
                }
                int columns = WHITESPACE.split(s).length;
                if (columns == 3) {
                    return QrelsFormat.BEIR_TSV;
                }
                if (columns == 4) {
                    return QrelsFormat.TREC;
                }
                throw new DataFormatException(file, n, null, "cannot tell the qrels format from " + columns
                        + " columns; expected BEIR 'query-id<TAB>corpus-id<TAB>score', TREC 'qid 0 docid rel'"
                        + " or JSON lines " + JSONL_EXAMPLE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return QrelsFormat.BEIR_TSV; // an empty file: any format reads it as empty
    }

    private static int jsonRelevance(Path file, long n, ObjectNode obj) {
        for (String name : new String[] {"relevance", "score"}) {
            JsonNode v = obj.get(name);
            if (v == null) {
                continue;
            }
            if (v.isNumber() || v.isTextual()) {
                return JsonLines.relevance(file, n, name, v.asText());
            }
            throw new DataFormatException(file, n, name, "must be an integer, but is "
                    + v.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        throw new DataFormatException(file, n, "relevance", "is missing (also accepted: score); expected a line such as "
                + JSONL_EXAMPLE);
    }

    private static boolean looksNumeric(String s) {
        try {
            Double.parseDouble(s.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
