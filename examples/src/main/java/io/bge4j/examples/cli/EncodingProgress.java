package io.bge4j.examples.cli;

import io.bge4j.core.BgeEmbedder;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long encodings: texts done, tokens/s and ETA. On a terminal one line redrawn in place (at most
 * every 200 ms); otherwise a plain line at most every {@code interval} (10 s by default) and one at the end.
 * A new encode call (done drops back) starts a new line. Calls shorter than 256 texts stay quiet.
 *
 * <p>Used by the CLI commands and by {@link io.bge4j.examples.Quickstart} for its own encodings.
 *
 * <p>Usage: {@code model.embedder().progress(EncodingProgress.toStderr(err)).build()}
 */
public final class EncodingProgress implements BgeEmbedder.ProgressListener {

    static final int MIN_TEXTS = 256;

    private final PrintWriter out;
    private final boolean terminal;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long start;
    private long lastPrint;
    private int lastDone = Integer.MAX_VALUE;
    private int done0;
    private long tokens0;

    EncodingProgress(PrintWriter out, boolean terminal, long intervalNanos, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /** @param err standard error @return a listener that draws a bar on a terminal and prints lines otherwise */
    public static EncodingProgress toStderr(PrintWriter err) {
        return to(err, System.console() != null);
    }

    /**
     * @param out where the progress goes
     * @param terminal whether {@code out} is a terminal (one line redrawn in place) or not (a line every 10 s)
     * @return the listener
     */
    public static EncodingProgress to(PrintWriter out, boolean terminal) {
        return new EncodingProgress(out, terminal, 10_000_000_000L, System::nanoTime);
    }

    @Override
    public void onProgress(int done, int total) {
        onProgress(done, total, 0);
    }

    @Override
    public synchronized void onProgress(int done, int total, long tokens) {
        long now = clock.getAsLong();
        if (done <= lastDone) {
            // a new call: rates are measured from its first report on (the first batch's start is not seen)
            start = now;
            lastPrint = now;
            done0 = done;
            tokens0 = tokens;
        }
        lastDone = done;
        if (total < MIN_TEXTS) {
            return;
        }
        boolean last = done >= total;
        long every = terminal ? 200_000_000L : intervalNanos;
        if (!last && now - lastPrint < every) {
            return;
        }
        lastPrint = now;
        out.print((terminal ? "\r" : "") + line(done, total, done - done0, tokens - tokens0, (now - start) / 1e9) + (terminal && !last ? "" : "\n"));
        out.flush();
    }

    /**
     * One progress line: {@code encoded 1,024/10,000 texts (10.2%), 3,120 tokens/s, ETA 2m14s}.
     *
     * @param done texts done
     * @param total texts in the call
     * @param measuredTexts texts encoded within {@code seconds}
     * @param tokens tokens encoded within {@code seconds}
     * @param seconds time measured
     * @return the line
     */
    static String line(int done, int total, int measuredTexts, long tokens, double seconds) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "encoded %,d/%,d texts (%.1f%%)", done, total,
                100.0 * done / total));
        if (seconds > 0 && tokens > 0) {
            sb.append(String.format(Locale.ROOT, ", %,.0f tokens/s", tokens / seconds));
        }
        if (done < total && seconds > 0 && measuredTexts > 0) {
            long eta = Math.round(seconds * (total - done) / measuredTexts);
            sb.append(", ETA ").append(eta >= 60 ? (eta / 60) + "m" + String.format(Locale.ROOT, "%02d", eta % 60) + "s"
                    : eta + "s");
        } else if (done >= total) {
            sb.append(String.format(Locale.ROOT, ", %.1f s", seconds));
        }
        return sb.toString();
    }
}
