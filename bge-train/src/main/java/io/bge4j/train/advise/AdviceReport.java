package io.bge4j.train.advise;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bge4j.data.ModelSize;
import io.bge4j.data.ModelSizeRecommendation;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.verdict.PairwiseDifference;
import io.bge4j.train.report.OutputFile;
import io.bge4j.train.report.SafeFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Advisor} measured and what follows from it: the learning curve (one run per fraction, each
 * with its gain over the base and the paired bootstrap interval), the fitted gain per doubling, the loss
 * trend of the largest run, the negative-strategy runs with the difference between the best two, a
 * model-size suggestion with its reasons, and the advice sentences.
 *
 * <p>Usage: {@code AdviceReport r = advisor.run(); out.print(r.text()); r.write(Path.of("runs/advise"));}
 *
 * @param model the base model's name
 * @param size the base model's size
 * @param metric the dev metric every gain is measured in
 * @param baseValue the base model's dev value of {@code metric}
 * @param trainingExamples examples in the whole training set
 * @param devQueries dev queries evaluated
 * @param settings the training settings every run shared, in words
 * @param curveStrategy the negatives the curve runs were trained with
 * @param curve one run per fraction, smallest first
 * @param fit the trend of the curve (null with one fraction)
 * @param negatives one run per negative strategy (empty when none was compared)
 * @param bestVsRunnerUp the best strategy minus the runner-up (null with fewer than two strategies)
 * @param modelSize the size suggestion, with reasons from the measurements
 * @param advice the sentences, each following from the numbers above
 * @param seconds wall time of the whole advice run
 */
public record AdviceReport(String model, ModelSize size, Metric metric, double baseValue, int trainingExamples,
        int devQueries, String settings, NegativeStrategy curveStrategy, List<AdviceRun> curve, CurveFit fit,
        List<AdviceRun> negatives, PairwiseDifference bestVsRunnerUp, ModelSizeRecommendation modelSize,
        List<String> advice, double seconds) {

    /** The Markdown file {@link #write(Path)} writes. */
    public static final String MARKDOWN_FILE = "advice.md";
    /** The JSON file {@link #write(Path)} writes. */
    public static final String JSON_FILE = "advice.json";
    /** The line that marks a Markdown file as written by bge4j advise. */
    static final String MD_MARK = "<!-- written by bge4j advise -->";
    /** The JSON generator value that marks a JSON file as written by bge4j advise. */
    static final String GENERATOR = "bge4j advise";

    /** Copies the lists and checks for nulls. */
    public AdviceReport {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(modelSize, "modelSize");
        curve = List.copyOf(curve);
        negatives = List.copyOf(negatives);
        advice = List.copyOf(advice);
    }

    /**
     * Builds a report from measured runs, with the advice the rules draw from them (what {@link Advisor}
     * calls; a program with its own runs can call it too).
     *
     * @param model the base model's name
     * @param size its size
     * @param metric the dev metric
     * @param baseValue the base value of {@code metric}
     * @param trainingExamples examples in the whole training set
     * @param devQueries dev queries evaluated
     * @param settings shared training settings, in words
     * @param curveStrategy the negatives of the curve runs
     * @param curve one run per fraction
     * @param negatives one run per negative strategy
     * @param bestVsRunnerUp best − runner-up of {@code negatives} by gain (null with fewer than two)
     * @param seconds wall time
     * @return the report
     */
    public static AdviceReport of(String model, ModelSize size, Metric metric, double baseValue, int trainingExamples,
            int devQueries, String settings, NegativeStrategy curveStrategy, List<AdviceRun> curve,
            List<AdviceRun> negatives, MetricComparison bestVsRunnerUp, double seconds) {
        List<AdviceRun> sorted = new ArrayList<>(curve);
        sorted.sort(java.util.Comparator.comparingDouble(AdviceRun::fraction));
        CurveFit fit = null;
        if (sorted.stream().mapToDouble(AdviceRun::fraction).distinct().count() >= 2) {
            fit = CurveFit.fit(sorted.stream().mapToDouble(AdviceRun::fraction).toArray(),
                    sorted.stream().mapToDouble(r -> r.gain().delta()).toArray(),
                    sorted.stream().mapToDouble(AdviceRun::halfWidth).toArray());
        }
        AdviceRules.Conclusion c = AdviceRules.conclude(size, metric, trainingExamples, sorted, fit, negatives,
                bestVsRunnerUp, curveStrategy);
        return new AdviceReport(model, size, metric, baseValue, trainingExamples, devQueries, settings, curveStrategy,
                sorted, fit, negatives, c.bestVsRunnerUp(), c.modelSize(), c.advice(), seconds);
    }

    /** @return the curve table, the negatives table and the advice, as plain text */
    public String text() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "bge4j advise: %s, %d training examples, %d dev queries, base %s %.4f%n",
                model, trainingExamples, devQueries, metric, baseValue));
        s.append("settings: ").append(settings).append('\n').append('\n');
        s.append("learning curve (").append(curveStrategy.label()).append(")\n");
        table(s, curve, false);
        if (fit != null) {
            s.append(String.format(Locale.ROOT, "trend: %+.4f per doubling, 95 %% CI [%+.4f, %+.4f]"
                    + " (slope SE from residuals %s, from the points' intervals %.4f)%n", fit.slopePerDoubling(),
                    fit.ciLow(), fit.ciHigh(), Double.isNaN(fit.residualStdError()) ? "n/a"
                            : String.format(Locale.ROOT, "%.4f", fit.residualStdError()), fit.pointStdError()));
        }
        if (!negatives.isEmpty()) {
            s.append('\n').append("negatives at ").append(AdviceRules.pct(negatives.get(0).fraction()))
                    .append(" of the data\n");
            table(s, negatives, true);
            if (bestVsRunnerUp != null) {
                MetricComparison c = bestVsRunnerUp.comparison();
                s.append(String.format(Locale.ROOT, "%s - %s: %+.4f, 95 %% CI [%+.4f, %+.4f], p %.4f%n",
                        bestVsRunnerUp.first(), bestVsRunnerUp.second(), c.delta(), c.ciLow(), c.ciHigh(), c.pValue()));
            }
        }
        s.append('\n').append("advice\n");
        for (String a : advice) {
            s.append("- ").append(a).append('\n');
        }
        s.append(String.format(Locale.ROOT, "%ntotal time: %.1f min%n", seconds / 60));
        return s.toString();
    }

    private void table(StringBuilder s, List<AdviceRun> runs, boolean byStrategy) {
        s.append(String.format(Locale.ROOT, "%-26s %8s %6s %8s %8s   %-19s %7s %-16s%n", byStrategy ? "negatives"
                : "fraction", "examples", "steps", metric.toString(), "gain", "95% CI", "p", "loss"));
        for (AdviceRun r : runs) {
            s.append(String.format(Locale.ROOT, "%-26s %8d %6d %8.4f %+8.4f   [%+.4f, %+.4f] %7.4f %-16s%n",
                    byStrategy ? r.strategy().cliName() : AdviceRules.pct(r.fraction()), r.examples(), r.steps(),
                    r.gain().tuned(), r.gain().delta(), r.gain().ciLow(), r.gain().ciHigh(), r.gain().pValue(),
                    lossCell(r.loss())));
        }
    }

    private static String lossCell(LossTrend t) {
        return switch (t.status()) {
            case PLATEAUED -> "plateau@" + t.plateauStep();
            case STILL_FALLING -> "still falling";
            case NOT_FALLING -> "not falling";
            case TOO_FEW_STEPS -> "too few steps";
        };
    }

    /** @return the report as Markdown (tables and advice), first line marking it as bge4j's */
    public String markdown() {
        StringBuilder s = new StringBuilder(MD_MARK).append('\n');
        s.append("# bge4j advise: ").append(model).append("\n\n");
        s.append(String.format(Locale.ROOT, "%d training examples, %d dev queries, base %s %.4f. Settings: %s.%n%n",
                trainingExamples, devQueries, metric, baseValue, settings));
        s.append("## Learning curve (").append(curveStrategy.label()).append(")\n\n");
        mdTable(s, curve, false);
        if (fit != null) {
            s.append(String.format(Locale.ROOT, "%nTrend: %+.4f %s per doubling, 95 %% CI [%+.4f, %+.4f].%n", fit.slopePerDoubling(),
                    metric, fit.ciLow(), fit.ciHigh()));
        }
        if (!negatives.isEmpty()) {
            s.append("\n## Negatives at ").append(AdviceRules.pct(negatives.get(0).fraction())).append(" of the data\n\n");
            mdTable(s, negatives, true);
            if (bestVsRunnerUp != null) {
                MetricComparison c = bestVsRunnerUp.comparison();
                s.append(String.format(Locale.ROOT, "%n%s − %s: %+.4f, 95 %% CI [%+.4f, %+.4f], p %.4f.%n",
                        bestVsRunnerUp.first(), bestVsRunnerUp.second(), c.delta(), c.ciLow(), c.ciHigh(), c.pValue()));
            }
        }
        s.append("\n## Advice\n\n");
        for (String a : advice) {
            s.append("- ").append(a).append('\n');
        }
        return s.toString();
    }

    private void mdTable(StringBuilder s, List<AdviceRun> runs, boolean byStrategy) {
        s.append("| ").append(byStrategy ? "negatives" : "fraction").append(" | examples | steps | ").append(metric)
                .append(" | gain | 95 % CI | p | loss |\n|---|---:|---:|---:|---:|---|---:|---|\n");
        for (AdviceRun r : runs) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %+.4f | [%+.4f, %+.4f] | %.4f | %s |%n",
                    byStrategy ? r.strategy().cliName() : AdviceRules.pct(r.fraction()), r.examples(), r.steps(),
                    r.gain().tuned(), r.gain().delta(), r.gain().ciLow(), r.gain().ciHigh(), r.gain().pValue(),
                    lossCell(r.loss())));
        }
    }

    /** @return the report as JSON (every number above, and the advice) */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generator", GENERATOR);
        root.put("model", model);
        root.put("size", size == null ? null : size.name());
        root.put("metric", metric.toString());
        root.put("base", baseValue);
        root.put("training_examples", trainingExamples);
        root.put("dev_queries", devQueries);
        root.put("settings", settings);
        root.put("curve_strategy", curveStrategy.cliName());
        root.put("curve", curve.stream().map(AdviceReport::runJson).toList());
        if (fit != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("points", fit.points());
            f.put("slope_per_doubling", fit.slopePerDoubling());
            f.put("intercept_at_full", fit.interceptAtFull());
            f.put("residual_std_error", Double.isNaN(fit.residualStdError()) ? null : fit.residualStdError());
            f.put("point_std_error", Double.isNaN(fit.pointStdError()) ? null : fit.pointStdError());
            f.put("ci_low", fit.ciLow());
            f.put("ci_high", fit.ciHigh());
            root.put("fit", f);
        }
        root.put("negatives", negatives.stream().map(AdviceReport::runJson).toList());
        if (bestVsRunnerUp != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("best", bestVsRunnerUp.first());
            p.put("runner_up", bestVsRunnerUp.second());
            p.putAll(comparisonJson(bestVsRunnerUp.comparison()));
            p.put("significant", bestVsRunnerUp.significant());
            root.put("best_vs_runner_up", p);
        }
        Map<String, Object> ms = new LinkedHashMap<>();
        ms.put("recommended", modelSize.recommended().englishModel());
        ms.put("also_worth_trying", modelSize.alsoWorthTrying() == null ? null : modelSize.alsoWorthTrying().englishModel());
        ms.put("reasons", modelSize.reasons());
        root.put("model_size", ms);
        root.put("advice", advice);
        root.put("seconds", seconds);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the advice as JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> runJson(AdviceRun r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strategy", r.strategy().cliName());
        m.put("fraction", r.fraction());
        m.put("examples", r.examples());
        m.put("steps", r.steps());
        m.putAll(comparisonJson(r.gain()));
        m.put("significant", r.significant());
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("status", r.loss().status().name());
        l.put("window", r.loss().window());
        l.put("first_smoothed", finite(r.loss().firstSmoothed()));
        l.put("last_smoothed", finite(r.loss().lastSmoothed()));
        l.put("plateau_step", r.loss().plateauStep());
        m.put("loss", l);
        m.put("seconds", r.seconds());
        return m;
    }

    private static Map<String, Object> comparisonJson(MetricComparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", c.tuned());
        m.put("reference", c.base());
        m.put("delta", c.delta());
        m.put("ci_low", c.ciLow());
        m.put("ci_high", c.ciHigh());
        m.put("p", c.pValue());
        m.put("wins", c.wins());
        m.put("ties", c.ties());
        m.put("losses", c.losses());
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * Writes {@value #MARKDOWN_FILE} and {@value #JSON_FILE} into {@code dir}; a file of that name that
     * bge4j advise did not write is left unchanged (and reported as skipped).
     *
     * @param dir the output folder (created when missing)
     * @return what happened to each file
     */
    public List<OutputFile> write(Path dir) {
        return List.of(
                SafeFiles.write(dir.resolve(MARKDOWN_FILE), markdown(), t -> t.startsWith(MD_MARK), "advice"),
                SafeFiles.write(dir.resolve(JSON_FILE), json(),
                        t -> t.contains("\"generator\" : \"" + GENERATOR + "\""), "advice JSON"));
    }
}
