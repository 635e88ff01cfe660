package io.bge4j.eval;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads TREC run files: six whitespace-separated columns {@code qid Q0 docid rank score tag} per
 * line. The second column, the rank and the tag are ignored (trec_eval ranks by score); the file is
 * read line by line. Bad lines raise a {@link DataFormatException} with the file and line number.
 * Repeated (query, document) lines keep the first occurrence (see {@link Run}).
 *
 * <p>Usage: {@code Run run = TrecRunReader.read(Path.of("run.trec"));}
 */
public final class TrecRunReader {
    private static final Logger LOG = LoggerFactory.getLogger(TrecRunReader.class);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private TrecRunReader() {
    }

    /**
     * @param file a TREC run file
     * @return the run
     * @throws DataFormatException on a bad line
     */
    public static Run read(Path file) {
        Run.Builder run = Run.builder();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                String s = line.strip();
                if (n == 1 && s.startsWith("\uFEFF")) {
                    s = s.substring(1).strip();
                }
                if (s.isEmpty()) {
                    continue;
                }
                String[] f = WHITESPACE.split(s);
                if (f.length != 6) {
                    throw new DataFormatException(file, n, null, "expected 6 whitespace-separated columns "
                            + "'qid Q0 docid rank score tag' but found " + f.length
                            + (f.length == 4 ? "; this looks like a qrels line (qid 0 docid rel), not a run" : ""));
                }
                double score;
                try {
                    score = Double.parseDouble(f[4]);
                } catch (NumberFormatException e) {
                    throw new DataFormatException(file, n, "score", "'" + f[4]
                            + "' is not a number; column 5 must be the retrieval score");
                }
                if (Double.isNaN(score)) {
                    throw new DataFormatException(file, n, "score", "is NaN; scores must be numbers");
                }
                run.add(f[0], f[2], score);
            }
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file, 0, null, "run file not found");
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Run built = run.build();
        if (built.duplicatesDropped() > 0) {
            LOG.warn("{}: {} lines repeat a (query, document) pair; the first occurrence is kept", file,
                    built.duplicatesDropped());
        }
        return built;
    }
}
