package io.bge4j.train;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import io.bge4j.train.plan.ProgressEstimator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
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
    private final double smoothing;
    private final int linesPerRun;
    private final LongSupplier clock;
    private final Duration longRun;
    private final int queryMaxLength;
    private final int passageMaxLength;

    private TrainingPlan plan;
    private ProgressEstimator estimator;
    private long markNanos;
    private boolean warned;
    private String pendingWarning;
    private long startNanos;
    private long every = 1;
    private long stepsSeen;
    private double lossAverage;
    private double speedAverage;
    private double tokenAverage;
    private double weight;
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
        this.smoothing = b.smoothing;
        this.linesPerRun = b.linesPerRun;
        this.clock = b.clock;
        this.longRun = b.longRun;
        this.queryMaxLength = b.queryMaxLength;
        this.passageMaxLength = b.passageMaxLength;
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
        this.startNanos = clock.getAsLong();
        this.markNanos = startNanos;
        long total = Math.max(1, p.totalSteps());
        this.estimator = ProgressEstimator.builder().totalSteps(total).startStep(Math.min(total, p.startStep())).build();
        this.warned = false;
        long remaining = Math.max(1, p.totalSteps() - p.startStep());
        this.every = interactive ? 1 : Math.max(1, remaining / linesPerRun);
        printLine(String.format(Locale.ROOT, "training on %d examples: batch %d x group %d%s, %d steps per epoch,"
                        + " %d steps%s", p.examples(), p.batchSize(), p.groupSize(),
                p.gradientAccumulation() > 1 ? " x " + p.gradientAccumulation() + " accumulated" : "",
                p.stepsPerEpoch(), p.totalSteps(), p.startStep() > 0 ? " (resuming after step " + p.startStep() + ")"
                        : ""));
    }

    @Override
    public synchronized void onStep(StepRecord r) {
        stepsSeen++;
        measure(r);
        weight = smoothing * weight + (1 - smoothing);
        lossAverage = smoothing * lossAverage + (1 - smoothing) * r.loss();
        speedAverage = smoothing * speedAverage + (1 - smoothing) * r.examplesPerSecond();
        tokenAverage = smoothing * tokenAverage + (1 - smoothing) * r.tokensPerSecond();
        lastRecord = r;
        long total = plan == null ? 0 : plan.totalSteps();
        boolean due = interactive || stepsSeen == 1 || r.step() >= total || stepsSeen % every == 0;
        if (due) {
            drawBar(render(r));
        }
        if (pendingWarning != null) {
            printLine(pendingWarning);
            pendingWarning = null;
        }
    }

    @Override
    public synchronized void onEvaluation(EvaluationRecord r) {
        long now = clock.getAsLong();
        if (estimator != null) {
            estimator.recordEvaluation(Math.max(0, (now - markNanos) / 1e9), r.step());
        }
        markNanos = now;
        String when = r.step() == 0 ? "before training" : "at step " + r.step();
        printLine(String.format(Locale.ROOT, "eval %s: %s = %.4f%s", when, r.primaryMetric(), r.primaryValue(),
                r.isBest() ? " (best so far)" : ""));
    }

    @Override
    public synchronized void onDiagnostic(TrainingDiagnostic d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.severity().name().toLowerCase(Locale.ROOT)).append(' ').append(d.code());
        if (d.step() > 0) {
            sb.append(" (step ").append(d.step()).append(')');
        }
        sb.append(": ").append(d.message());
        if (!d.suggestion().isEmpty()) {
            sb.append("\n  suggestion: ").append(d.suggestion());
        }
        printLine(sb.toString());
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
        double seconds = (clock.getAsLong() - startNanos) / 1e9;
        String why = switch (result.stopReason()) {
            case COMPLETED -> "completed";
            case EARLY_STOPPED -> "stopped early";
            case NON_FINITE_LOSS -> "stopped: the loss became NaN or infinite";
        };
        StringBuilder sb = new StringBuilder();
        sb.append("finished after ").append(result.stepsTaken()).append(" steps in ").append(duration(seconds))
                .append(" (").append(why).append(')');
        result.bestEvaluation().ifPresent(best -> sb.append(String.format(Locale.ROOT, "; best %s = %.4f at step %d",
                best.primaryMetric(), best.primaryValue(), best.step())));
        out.println(sb);
        out.flush();
    }

    /**
     * Feeds the estimator with the wall time since the previous step or evaluation. The step's own tokens come
     * from its record: real = tokens/s × its compute seconds (queries / examples per second), processed =
     * real / padding efficiency.
     */
    private void measure(StepRecord r) {
        long now = clock.getAsLong();
        double secs = Math.max(0, (now - markNanos) / 1e9);
        markNanos = now;
        if (estimator == null) {
            return;
        }
        int queries = plan.batchSize() * Math.max(1, plan.gradientAccumulation());
        double own = r.examplesPerSecond() > 0 && Double.isFinite(r.examplesPerSecond())
                ? queries / r.examplesPerSecond() : secs;
        long real = Double.isFinite(r.tokensPerSecond()) && r.tokensPerSecond() > 0
                ? Math.round(r.tokensPerSecond() * own) : 0;
        double eff = r.paddingEfficiency();
        long processed = Double.isFinite(eff) && eff > 0 ? Math.max(real, Math.round(real / eff)) : real;
        estimator.recordStep(secs, queries, real, processed);
        if (!warned) {
            long epochs = plan.stepsPerEpoch() > 0 ? (plan.totalSteps() + plan.stepsPerEpoch() - 1) / plan.stepsPerEpoch()
                    : 1;
            estimator.longRunWarning(longRun, new ProgressEstimator.RunSettings(plan.groupSize(), queryMaxLength,
                    passageMaxLength, (int) Math.max(1, epochs))).ifPresent(w -> {
                        warned = true;
                        pendingWarning = "warning LONG_RUN (step " + r.step() + "): " + w;
                    });
        }
    }

    /** @return the current bar line for a step, e.g. {@code [######----]  3/10  30%  ETA 7s  loss ...} */
    private String render(StepRecord r) {
        long total = plan == null ? r.step() : plan.totalSteps();
        long start = plan == null ? 0 : plan.startStep();
        double fraction = total <= 0 ? 1 : Math.min(1, r.step() / (double) total);
        double eta = Double.NaN;
        if (estimator != null && r.step() > start) {
            eta = estimator.estimate().map(ProgressEstimator.Estimate::remainingSeconds).orElse(Double.NaN);
        }
        String width = Long.toString(total);
        String line = String.format(Locale.ROOT, "%s %" + width.length() + "d/%s %3d%%  ETA %s  loss %s  lr %.2e"
                        + "  %s ex/s  %s tok/s", bar(fraction, barWidth), r.step(), width,
                (int) Math.floor(fraction * 100), duration(eta), number(lossAverage / weight), r.learningRate(),
                speed(speedAverage / weight), speed(tokenAverage / weight));
        if (Double.isFinite(r.paddingEfficiency())) {
            line += String.format(Locale.ROOT, "  pad eff %.0f%%", 100 * r.paddingEfficiency());
        }
        return line;
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
     * @param fraction done, in [0, 1]
     * @param width characters inside the brackets
     * @return for example {@code [#####-----]} at 0.5 and width 10
     */
    static String bar(double fraction, int width) {
        double f = Double.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
        int filled = (int) Math.floor(f * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /**
     * @param seconds a duration, or NaN when unknown
     * @return {@code 45s}, {@code 3m07s}, {@code 2h05m}, or {@code ?} when unknown
     */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "nan";
    }

    private static String speed(double v) {
        if (!Double.isFinite(v)) {
            return "?";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, v >= 1 || v == 0 ? "%.1f" : "%.2f", v); // 0.11, not 0.1 or 0.0
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
