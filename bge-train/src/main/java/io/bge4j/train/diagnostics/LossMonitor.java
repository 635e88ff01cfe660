package io.bge4j.train.diagnostics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the training loss step by step and reports, as {@link Diagnostic}s:
 * <ul>
 *   <li>{@link Diagnostic.Kind#NON_FINITE_LOSS} at every NaN or infinite loss;</li>
 *   <li>{@link Diagnostic.Kind#LOSS_NEAR_ZERO} once the last {@code nearZeroWindow} losses were all
 *       below {@code nearZeroThreshold} (reported again only after the loss has left that band);</li>
 *   <li>{@link Diagnostic.Kind#PLATEAU} when the mean of the last {@code plateauWindow} losses improved
 *       on the mean of the window before it by less than {@code minRelativeImprovement} (relative);
 *       after a report the next check waits one full window. A loss sitting near zero is not called
 *       a plateau.</li>
 * </ul>
 * Non-finite losses are not added to the windows. A monitor is not thread-safe; use one per run.
 *
 * <p>Usage:
 * <pre>{@code
 * LossMonitor monitor = LossMonitor.builder().plateauWindow(200).build();
 * for (Diagnostic d : monitor.observe(step, loss)) { ... }
 * }</pre>
 */
public final class LossMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(LossMonitor.class);

    private final double nearZeroThreshold;
    private final int nearZeroWindow;
    private final int plateauWindow;
    private final double minRelativeImprovement;

    private final ArrayDeque<Double> recent = new ArrayDeque<>();
    private int nearZeroRun;
    private boolean nearZeroReported;
    private int stepsSincePlateauCheck;

    private LossMonitor(Builder b) {
        this.nearZeroThreshold = b.nearZeroThreshold;
        this.nearZeroWindow = b.nearZeroWindow;
        this.plateauWindow = b.plateauWindow;
        this.minRelativeImprovement = b.minRelativeImprovement;
    }

    /**
     * @return a builder with near zero = below 1e-3 for 50 steps, plateau = under 1 % improvement
     *     between consecutive 100-step windows
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Records one step's loss.
     *
     * @param step the optimizer step
     * @param loss the step's loss
     * @return the diagnostics this loss triggers, usually none
     */
    public List<Diagnostic> observe(long step, double loss) {
        List<Diagnostic> out = new ArrayList<>(1);
        if (!Double.isFinite(loss)) {
            out.add(new Diagnostic(Diagnostic.Kind.NON_FINITE_LOSS, step,
                    "loss is " + loss + " at step " + step,
                    "stop and resume from the last good checkpoint with a lower learning rate (or more warmup)"
                            + " and a max grad norm; check the batch for empty texts and the temperature for"
                            + " a value too small for the precision"));
            log(out);
            return out;
        }

        if (loss < nearZeroThreshold) {
            nearZeroRun++;
            if (nearZeroRun >= nearZeroWindow && !nearZeroReported) {
                nearZeroReported = true;
                out.add(new Diagnostic(Diagnostic.Kind.LOSS_NEAR_ZERO, step,
                        String.format(Locale.ROOT, "loss has been below %.3g for the last %d steps (now %.3g)",
                                nearZeroThreshold, nearZeroWindow, loss),
                        "the negatives are too easy: mine hard negatives (e.g. a dense miner with a rank window"
                                + " that skips the top few hits), raise the group size, or turn in-batch"
                                + " negatives / cross-batch memory on"));
            }
        } else {
            nearZeroRun = 0;
            nearZeroReported = false;
        }

        recent.addLast(loss);
        if (recent.size() > 2 * plateauWindow) {
            recent.removeFirst();
        }
        stepsSincePlateauCheck++;
        if (recent.size() == 2 * plateauWindow && stepsSincePlateauCheck >= plateauWindow
                && nearZeroRun < nearZeroWindow) {
            Iterator<Double> it = recent.iterator();
            double previous = 0;
            double current = 0;
            for (int i = 0; i < plateauWindow; i++) {
                previous += it.next();
            }
            for (int i = 0; i < plateauWindow; i++) {
                current += it.next();
            }
            previous /= plateauWindow;
            current /= plateauWindow;
            double improvement = (previous - current) / Math.max(Math.abs(previous), 1e-12);
            if (improvement < minRelativeImprovement) {
                stepsSincePlateauCheck = 0;
                out.add(new Diagnostic(Diagnostic.Kind.PLATEAU, step,
                        String.format(Locale.ROOT,
                                "mean loss over the last %d steps is %.4g vs %.4g over the %d before"
                                        + " (%.2f %% improvement, below %.2f %%)",
                                plateauWindow, current, previous, plateauWindow, 100 * improvement,
                                100 * minRelativeImprovement),
                        "add negatives (larger group size, harder mined negatives, cross-batch memory), grow the"
                                + " batch (GradCache), or revisit the learning rate; judge by the dev metric,"
                                + " which can still improve while the loss is flat"));
            }
        }
        log(out);
        return out;
    }

    /** Debug level only: the findings are returned, and the caller (the trainer) reports them once. */
    private static void log(List<Diagnostic> found) {
        for (Diagnostic d : found) {
            LOG.debug("{} {}: {}. {}", d.severity(), d.kind(), d.message(), d.suggestion());
        }
    }

    /**
     * Builder for {@link LossMonitor}; {@link #build()} validates every option.
     *
     * <p>Usage: {@code LossMonitor.builder().nearZero(1e-4, 100).plateau(500, 0.005).build()}
     */
    public static final class Builder {
        private double nearZeroThreshold = 1e-3;
        private int nearZeroWindow = 50;
        private int plateauWindow = 100;
        private double minRelativeImprovement = 0.01;

        private Builder() {}

        /**
         * @param threshold a loss below this counts as near zero, &gt; 0
         * @param window consecutive such steps before reporting, &ge; 1
         * @return this
         */
        public Builder nearZero(double threshold, int window) {
            this.nearZeroThreshold = threshold;
            this.nearZeroWindow = window;
            return this;
        }

        /**
         * @param window steps per compared window, &ge; 1
         * @param minImprovement the smallest relative improvement of the window mean that is not a plateau, &ge; 0
         * @return this
         */
        public Builder plateau(int window, double minImprovement) {
            this.plateauWindow = window;
            this.minRelativeImprovement = minImprovement;
            return this;
        }

        /** @param window steps per compared window, &ge; 1 @return this */
        public Builder plateauWindow(int window) {
            this.plateauWindow = window;
            return this;
        }

        /**
         * @return the monitor
         * @throws IllegalArgumentException naming the first invalid option
         */
        public LossMonitor build() {
            if (!(nearZeroThreshold > 0) || !Double.isFinite(nearZeroThreshold)) {
                throw new IllegalArgumentException("nearZeroThreshold must be a finite value > 0, got " + nearZeroThreshold);
            }
            if (nearZeroWindow < 1) {
                throw new IllegalArgumentException("nearZeroWindow must be >= 1, got " + nearZeroWindow);
            }
            if (plateauWindow < 1) {
                throw new IllegalArgumentException("plateauWindow must be >= 1, got " + plateauWindow);
            }
            if (!(minRelativeImprovement >= 0) || !Double.isFinite(minRelativeImprovement)) {
                throw new IllegalArgumentException("minRelativeImprovement must be a finite value >= 0, got "
                        + minRelativeImprovement);
            }
            return new LossMonitor(this);
        }
    }
}
