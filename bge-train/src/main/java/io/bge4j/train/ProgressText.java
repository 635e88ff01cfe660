package io.bge4j.train;

import java.util.Locale;

/** The lines {@link ConsoleProgress} prints, as pure functions of what they show. */
final class ProgressText {

    private ProgressText() {}

    /** The line that opens a run: examples, batch shape, steps, and where a resumed run starts. */
    static String start(TrainingPlan p) {
        return String.format(Locale.ROOT, "training on %d examples: batch %d x group %d%s, %d steps per epoch,"
                        + " %d steps%s", p.examples(), p.batchSize(), p.groupSize(),
                p.gradientAccumulation() > 1 ? " x " + p.gradientAccumulation() + " accumulated" : "",
                p.stepsPerEpoch(), p.totalSteps(), p.startStep() > 0 ? " (resuming after step " + p.startStep() + ")"
                        : "");
    }

    /**
     * @return the bar line of a step, e.g. {@code [######----]  3/10  30%  ETA 7s  loss ...}
     * @param total the run's steps
     * @param eta seconds left, NaN when unknown
     * @param loss the smoothed loss
     * @param examples the smoothed examples per second
     * @param tokens the smoothed real tokens per second
     */
    static String bar(StepRecord r, long total, int barWidth, double eta, double loss, double examples, double tokens) {
        double fraction = total <= 0 ? 1 : Math.min(1, r.step() / (double) total);
        String width = Long.toString(total);
        String line = String.format(Locale.ROOT, "%s %" + width.length() + "d/%s %3d%%  ETA %s  loss %s  lr %.2e"
                        + "  %s ex/s  %s tok/s", bar(fraction, barWidth), r.step(), width,
                (int) Math.floor(fraction * 100), duration(eta), number(loss), r.learningRate(), speed(examples),
                speed(tokens));
        if (Double.isFinite(r.paddingEfficiency())) {
            line += String.format(Locale.ROOT, "  pad eff %.0f%%", 100 * r.paddingEfficiency());
        }
        return line;
    }

    static String evaluation(EvaluationRecord r) {
        String when = r.step() == 0 ? "before training" : "at step " + r.step();
        return String.format(Locale.ROOT, "eval %s: %s = %.4f%s", when, r.primaryMetric(), r.primaryValue(),
                r.isBest() ? " (best so far)" : "");
    }

    static String diagnostic(TrainingDiagnostic d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.severity().name().toLowerCase(Locale.ROOT)).append(' ').append(d.code());
        if (d.step() > 0) {
            sb.append(" (step ").append(d.step()).append(')');
        }
        sb.append(": ").append(d.message());
        if (!d.suggestion().isEmpty()) {
            sb.append("\n  suggestion: ").append(d.suggestion());
        }
        return sb.toString();
    }

    /** The closing line: steps, wall time, why the run stopped and its best evaluation. */
    static String end(FinetuneResult result, double seconds) {
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
        return sb.toString();
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
}
