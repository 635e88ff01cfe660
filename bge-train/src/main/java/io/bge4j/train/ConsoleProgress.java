package io.bge4j.train;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import io.bge4j.train.plan.ProgressEstimator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A console progress bar for a fine-tune: bar, step/total, percentage, ETA, smoothed loss, learning rate,
 * examples per second, real (non-padding) tokens per second and the step's padding efficiency, plus
 * evaluations, diagnostics and a long-run warning as they arrive, each on its own line.
 *
 * <p>In interactive mode (a terminal) the bar is redrawn in place with a carriage return after every step. Otherwise
 * (log files, CI, tests) it prints a fresh line every few steps, about {@link Builder#linesPerRun(int)} lines per
 * run, and always the last step. The writer is flushed after every write and never closed.
 *
 * <p>The loss and throughput shown are exponential moving averages with bias correction (the first value is shown
 * as is). The ETA comes from a {@link ProgressEstimator}: the moving average of the measured wall time between
 * steps (the last 20, once the first 2 are past; evaluations excluded) times the steps left, plus the mean
 * measured evaluation time times the evaluations still expected (their interval is learned from the steps at
 * which evaluations arrive). Once the average has settled, if the run is predicted to last longer than
 * {@link Builder#longRunThreshold(Duration)} (default one hour), one warning line names the settings that would
 * shorten it.
 *
 * <p>Usage: {@code Finetuner.builder()...listener(new ConsoleProgress(System.out)).build().fit();}
 */
public final class ConsoleProgress implements TrainingListener {

    private final PrintWriter out;
    private final boolean interactive;
    private final int barWidth;
    private final int linesPerRun;
    private final ProgressRates rates;

    private TrainingPlan plan;
    private long every = 1;
    private long stepsSeen;
    private String lastLine = "";
    private boolean barOnScreen;
    private long lastPrintedStep = -1;
    private StepRecord lastRecord;

    /**
     * A non-interactive progress printer with the defaults.
     *
     * @param out where to print
     */
    public ConsoleProgress(PrintWriter out) {
        this(builder(out));
    }

    /**
     * A progress printer on a stream (UTF-8), interactive when the JVM has a console and {@code out} is
     * {@link System#out}.
     *
     * @param out where to print, e.g. {@code System.out}
     */
    public ConsoleProgress(PrintStream out) {
        this(builder(out).interactive(out == System.out && System.console() != null));
    }

    private ConsoleProgress(Builder b) {
        this.out = b.out;
        this.interactive = b.interactive;
        this.barWidth = b.barWidth;
        this.linesPerRun = b.linesPerRun;
        this.rates = new ProgressRates(b.smoothing, b.clock, b.longRun, b.queryMaxLength, b.passageMaxLength);
    }

    /**
     * @param out where to print
     * @return a builder: non-interactive, bar width 30, smoothing 0.9, about 20 lines per run, system clock
     */
    public static Builder builder(PrintWriter out) {
        return new Builder(Objects.requireNonNull(out, "out"));
    }

    /**
     * @param out where to print (written as UTF-8)
     * @return a builder, as {@link #builder(PrintWriter)}
     */
    public static Builder builder(PrintStream out) {
        Objects.requireNonNull(out, "out");
        return new Builder(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
    }

    @Override
    public synchronized void onStart(TrainingPlan p) {
        this.plan = p;
        rates.start(p);
        long remaining = Math.max(1, p.totalSteps() - p.startStep());
        this.every = interactive ? 1 : Math.max(1, remaining / linesPerRun);
        printLine(ProgressText.start(p));
    }

    @Override
    public synchronized void onStep(StepRecord r) {
        stepsSeen++;
        Optional<String> warning = rates.step(r);
        lastRecord = r;
        long total = plan == null ? 0 : plan.totalSteps();
        boolean due = interactive || stepsSeen == 1 || r.step() >= total || stepsSeen % every == 0;
        if (due) {
            drawBar(render(r));
        }
        warning.ifPresent(this::printLine);
    }

    @Override
    public synchronized void onEvaluation(EvaluationRecord r) {
        rates.evaluation(r.step());
        printLine(ProgressText.evaluation(r));
    }

    @Override
    public synchronized void onDiagnostic(TrainingDiagnostic d) {
        printLine(ProgressText.diagnostic(d));
    }

    @Override
    public synchronized void onEnd(FinetuneResult result) {
        if (lastRecord != null && lastPrintedStep != lastRecord.step()) {
            drawBar(render(lastRecord));
        }
        if (barOnScreen) {
            out.println();
            barOnScreen = false;
            lastLine = "";
        }
        out.println(ProgressText.end(result, rates.elapsedSeconds()));
        out.flush();
    }

    private String render(StepRecord r) {
        long total = plan == null ? r.step() : plan.totalSteps();
        long start = plan == null ? 0 : plan.startStep();
        return ProgressText.bar(r, total, barWidth, rates.eta(r.step(), start), rates.loss(),
                rates.examplesPerSecond(), rates.tokensPerSecond());
    }

    private void drawBar(String line) {
        if (interactive) {
            String pad = lastLine.length() > line.length() ? " ".repeat(lastLine.length() - line.length()) : "";
            out.print("\r" + line + pad);
            barOnScreen = true;
            lastLine = line;
        } else {
            out.println(line);
        }
        lastPrintedStep = lastRecord == null ? -1 : lastRecord.step();
        out.flush();
    }

    /** Prints a line of its own; in interactive mode the bar is cleared first and redrawn below it. */
    private void printLine(String text) {
        if (barOnScreen) {
            out.print("\r" + " ".repeat(lastLine.length()) + "\r");
        }
        out.println(text);
        if (barOnScreen) {
            out.print(lastLine);
        }
        out.flush();
    }

    /**
     * Options of a {@link ConsoleProgress}; {@link #build()} validates them.
     *
     * <p>Usage: {@code ConsoleProgress.builder(System.out).interactive(true).barWidth(40).build()}
     */
    public static final class Builder {
        private final PrintWriter out;
        private boolean interactive;
        private int barWidth = 30;
        private double smoothing = 0.9;
        private int linesPerRun = 20;
        private LongSupplier clock = System::nanoTime;
        private Duration longRun = Duration.ofHours(1);
        private int queryMaxLength;
        private int passageMaxLength;

        private Builder(PrintWriter out) {
            this.out = out;
        }

        /** @param on redraw one line in place with carriage returns (for terminals; default false) @return this */
        public Builder interactive(boolean on) {
            this.interactive = on;
            return this;
        }

        /** @param width characters of the bar, 5 to 200 (default 30) @return this */
        public Builder barWidth(int width) {
            this.barWidth = width;
            return this;
        }

        /**
         * @param beta weight of the previous average in the moving averages of loss and throughput, in [0, 1);
         *     0 shows the raw values (default 0.9)
         * @return this
         */
        public Builder smoothing(double beta) {
            this.smoothing = beta;
            return this;
        }

        /** @param n about how many bar lines a non-interactive run prints, at least 1 (default 20) @return this */
        public Builder linesPerRun(int n) {
            this.linesPerRun = n;
            return this;
        }

        /** @param nanos the time source, in nanoseconds (default {@link System#nanoTime()}; tests fix it) @return this */
        public Builder clock(LongSupplier nanos) {
            this.clock = nanos;
            return this;
        }

        /**
         * @param threshold warn once when the measured rate predicts a longer run (default one hour)
         * @return this
         */
        public Builder longRunThreshold(Duration threshold) {
            this.longRun = threshold;
            return this;
        }

        /**
         * @param query the run's query token budget
         * @param passage the run's passage token budget
         * @return this; the long-run warning then also suggests a shorter passage length (default unknown)
         */
        public Builder tokenLengths(int query, int passage) {
            this.queryMaxLength = query;
            this.passageMaxLength = passage;
            return this;
        }

        /**
         * @return the listener
         * @throws IllegalArgumentException naming the bad option
         */
        public ConsoleProgress build() {
            if (barWidth < 5 || barWidth > 200) {
                throw new IllegalArgumentException("barWidth must be in [5, 200], was " + barWidth);
            }
            if (!(smoothing >= 0 && smoothing < 1)) {
                throw new IllegalArgumentException("smoothing must be in [0, 1), was " + smoothing);
            }
            if (linesPerRun < 1) {
                throw new IllegalArgumentException("linesPerRun must be at least 1, was " + linesPerRun);
            }
            if (clock == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            if (longRun == null || longRun.isNegative()) {
                throw new IllegalArgumentException("longRunThreshold must be a non-negative duration, was " + longRun);
            }
            if (queryMaxLength < 0 || passageMaxLength < 0) {
                throw new IllegalArgumentException("tokenLengths must be >= 0 (0 = unknown), were " + queryMaxLength
                        + " and " + passageMaxLength);
            }
            return new ConsoleProgress(this);
        }
    }
}
