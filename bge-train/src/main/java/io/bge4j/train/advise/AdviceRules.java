package io.bge4j.train.advise;

import io.bge4j.data.ModelSize;
import io.bge4j.data.ModelSizeRecommendation;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.verdict.PairwiseDifference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** From measured numbers to sentences: every sentence quotes the numbers it follows from. */
final class AdviceRules {

    private AdviceRules() {}

    /** What the rules conclude. */
    record Conclusion(List<String> advice, ModelSizeRecommendation modelSize, PairwiseDifference bestVsRunnerUp) {}

    /**
     * @param current the size of the model that was fine-tuned
     * @param metric the dev metric
     * @param trainingExamples examples in the whole training set
     * @param curve the curve runs, smallest fraction first
     * @param fit the fitted trend (null with fewer than two fractions)
     * @param negatives the negative-strategy runs (may be empty)
     * @param runnerUpComparison best − runner-up among {@code negatives} (null with fewer than two)
     * @param curveStrategy the strategy the curve was trained with
     */
    static Conclusion conclude(ModelSize current, Metric metric, int trainingExamples, List<AdviceRun> curve,
            CurveFit fit, List<AdviceRun> negatives, MetricComparison runnerUpComparison,
            NegativeStrategy curveStrategy) {
        List<String> advice = new ArrayList<>();
        String m = metric.toString();
        for (AdviceRun r : curve) {
            advice.add(String.format(Locale.ROOT, "at %s of the data (%d examples, %d steps) the gain over the base is"
                    + " %+.4f %s, 95 %% CI [%+.4f, %+.4f]: %s", pct(r.fraction()), r.examples(), r.steps(),
                    r.gain().delta(), m, r.gain().ciLow(), r.gain().ciHigh(), significance(r)));
        }
        if (fit != null) {
            String numbers = String.format(Locale.ROOT, "%+.4f %s per doubling of the training set (95 %% CI"
                    + " [%+.4f, %+.4f], %d points)", fit.slopePerDoubling(), m, fit.ciLow(), fit.ciHigh(),
                    fit.points());
            if (fit.rising()) {
                advice.add("more data still helps: " + numbers + ", so more examples like these are worth collecting");
            } else if (fit.falling()) {
                advice.add("more data made the model worse: " + numbers + "; check the added examples for wrong"
                        + " positives before adding more");
            } else {
                advice.add("no measurable gain from more data: " + numbers + " includes 0, so more examples of"
                        + " the same kind are not the first lever" + String.format(Locale.ROOT, " (the interval"
                        + " still allows up to %+.4f per doubling; a larger dev split narrows it)", fit.ciHigh()));
            }
        }
        AdviceRun largest = curve.isEmpty() ? null : curve.get(curve.size() - 1);
        LossTrend loss = largest == null ? null : largest.loss();
        if (loss != null) {
            advice.add(lossSentence(loss, largest));
        }
        PairwiseDifference pair = null;
        if (!negatives.isEmpty()) {
            List<AdviceRun> ranked = new ArrayList<>(negatives);
            ranked.sort(Comparator.comparingDouble((AdviceRun r) -> r.gain().delta()).reversed());
            AdviceRun best = ranked.get(0);
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "negatives at %s of the data: ",
                    pct(best.fraction())));
            for (int i = 0; i < ranked.size(); i++) {
                AdviceRun r = ranked.get(i);
                s.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s %+.4f [%+.4f, %+.4f]",
                        r.strategy().label(), r.gain().delta(), r.gain().ciLow(), r.gain().ciHigh()));
            }
            advice.add(s.toString());
            if (ranked.size() >= 2 && runnerUpComparison != null) {
                AdviceRun second = ranked.get(1);
                pair = new PairwiseDifference(best.strategy().cliName(), second.strategy().cliName(),
                        runnerUpComparison, runnerUpComparison.pValue());
                String diff = String.format(Locale.ROOT, "%s minus %s is %+.4f %s, 95 %% CI [%+.4f, %+.4f]",
                        best.strategy().label(), second.strategy().label(), runnerUpComparison.delta(), m,
                        runnerUpComparison.ciLow(), runnerUpComparison.ciHigh());
                if (runnerUpComparison.wins() == 0 && runnerUpComparison.losses() == 0) {
                    advice.add(String.format(Locale.ROOT, "%s and %s scored the same %s on every one of the %d dev"
                            + " queries: the two runs are identical here (for hard vs hard-margin: the margin removed"
                            + " no candidate from this rank window), so either gives the same model",
                            best.strategy().label(), second.strategy().label(), m, runnerUpComparison.ties()));
                } else if (pair.significant()) {
                    advice.add(diff + ": significant, so train with " + best.strategy().label());
                } else {
                    advice.add(diff + ": not significant, so this dev split cannot tell them apart (folklore says"
                            + " harder is better; this measurement does not show it)");
                }
            }
        }
        ModelSizeRecommendation size = modelSize(current, trainingExamples, fit, loss, largest);
        advice.add("model size: " + (size.alsoWorthTrying() == null
                ? "stay with " + size.recommended().englishModel()
                : "keep " + size.recommended().englishModel() + " as the baseline and measure "
                        + size.alsoWorthTrying().englishModel()) + ", because " + String.join("; ", size.reasons()));
        advice.add(firstChange(fit, loss, pair, negatives, curveStrategy, current, m));
        return new Conclusion(advice, size, pair);
    }

    private static String significance(AdviceRun r) {
        if (r.gain().ciLow() > 0) {
            return "significant";
        }
        return r.gain().ciHigh() < 0 ? "a significant loss" : "not significant";
    }

    static String lossSentence(LossTrend t, AdviceRun run) {
        String where = " (run at " + pct(run.fraction()) + " of the data)";
        return switch (t.status()) {
            case PLATEAUED -> String.format(Locale.ROOT, "loss plateaued at step %d of %d%s: after it the smoothed"
                    + " loss (%d-step mean) fell by less than %.0f %% of its total drop (%.4f to %.4f), so more"
                    + " epochs on the same data will not help", t.plateauStep(), t.steps(), where, t.window(),
                    100 * LossTrend.TOLERANCE, t.firstSmoothed(), t.lastSmoothed());
            case STILL_FALLING -> String.format(Locale.ROOT, "loss was still falling in the last %d of %d steps%s"
                    + " (smoothed %.4f at the start, %.4f at the end): another epoch is worth measuring", t.window(),
                    t.steps(), where, t.firstSmoothed(), t.lastSmoothed());
            case NOT_FALLING -> String.format(Locale.ROOT, "loss did not fall in %d steps%s (smoothed %.4f at the"
                    + " start, %.4f at the end): lower the learning rate or check that the positives answer their"
                    + " queries", t.steps(), where, t.firstSmoothed(), t.lastSmoothed());
            case TOO_FEW_STEPS -> String.format(Locale.ROOT, "only %d steps%s: too few to read a loss trend (at"
                    + " least 6 are needed); use a smaller batch or more epochs to get one", t.steps(), where);
        };
    }

    static ModelSizeRecommendation modelSize(ModelSize current, int examples, CurveFit fit, LossTrend loss,
            AdviceRun largest) {
        List<String> reasons = new ArrayList<>();
        reasons.add(examples + " training examples were measured");
        if (fit == null) {
            ModelSizeRecommendation prior = ModelSizeRecommendation.forExampleCount(examples);
            reasons.add("no learning curve was measured (one fraction), so only the example-count prior speaks: "
                    + prior.reasons().get(0));
            return new ModelSizeRecommendation(prior.recommended(), prior.alsoWorthTrying(), reasons);
        }
        String slope = String.format(Locale.ROOT, "the curve's slope is %+.4f per doubling (95 %% CI [%+.4f, %+.4f])",
                fit.slopePerDoubling(), fit.ciLow(), fit.ciHigh());
        if (loss != null && loss.status() == LossTrend.Status.NOT_FALLING) {
            reasons.add(slope);
            reasons.add("the training loss did not fall, so the run says nothing yet about capacity");
            return new ModelSizeRecommendation(current, null, reasons);
        }
        if (fit.rising()) {
            reasons.add(slope + ": data, not model capacity, limits the gain, so a larger model would mostly"
                    + " have more parameters to fit the same few examples; add data first");
            return new ModelSizeRecommendation(current, null, reasons);
        }
        if (fit.falling()) {
            reasons.add(slope + ": more data hurt, which points at the data; a larger model will not fix it");
            return new ModelSizeRecommendation(current, null, reasons);
        }
        reasons.add(slope + ", which includes 0: more of this data no longer measurably helps");
        if (loss != null && loss.status() == LossTrend.Status.STILL_FALLING) {
            reasons.add("but the loss was still falling at step " + loss.steps() + ", so train longer before"
                    + " judging the model size");
            return new ModelSizeRecommendation(current, null, reasons);
        }
        if (loss != null && loss.status() == LossTrend.Status.PLATEAUED) {
            reasons.add("the loss plateaued at step " + loss.plateauStep() + " of " + loss.steps()
                    + ", so this model has taken what this data offers at this budget");
        } else {
            reasons.add("the loss trend could not be read (" + (loss == null ? "no run" : loss.steps() + " steps") + ")");
        }
        ModelSize next = switch (current) {
            case SMALL -> ModelSize.BASE;
            case BASE -> ModelSize.LARGE;
            case LARGE -> null;
        };
        if (next == null) {
            reasons.add("bge-large is already the largest BGE v1.5 size: look at the negatives and at data quality");
            return new ModelSizeRecommendation(current, null, reasons);
        }
        reasons.add(next.englishModel() + " is the next size to fine-tune the same way and compare on dev"
                + " (`bge4j evaluate --model <a> --model <b>` says whether the difference is significant)");
        return new ModelSizeRecommendation(current, next, reasons);
    }

    private static String firstChange(CurveFit fit, LossTrend loss, PairwiseDifference pair,
            List<AdviceRun> negatives, NegativeStrategy curveStrategy, ModelSize current, String m) {
        if (loss != null && loss.status() == LossTrend.Status.NOT_FALLING) {
            return "change first: make the training loss fall (lower learning rate, check the data); nothing else"
                    + " measured here can be trusted until it does";
        }
        if (fit != null && fit.rising()) {
            return String.format(Locale.ROOT, "change first: more training data (%+.4f %s per doubling measured)",
                    fit.slopePerDoubling(), m);
        }
        if (pair != null && pair.significant() && !pair.first().equals(curveStrategy.cliName())) {
            return String.format(Locale.ROOT, "change first: train with %s negatives (%+.4f %s over %s, significant)",
                    pair.first(), pair.comparison().delta(), m, pair.second());
        }
        if (loss != null && loss.status() == LossTrend.Status.STILL_FALLING) {
            return "change first: more epochs (the loss was still falling at the last step)";
        }
        if (loss != null && loss.status() == LossTrend.Status.PLATEAUED && fit != null && current != ModelSize.LARGE) {
            return "change first: measure a larger model or a larger batch (more in-batch negatives per query): the"
                    + " curve is flat and the loss plateaued, so neither more data nor more epochs is the lever";
        }
        return "change first: nothing measured here points to one change" + (negatives.isEmpty()
                ? "; compare negative strategies (they were not measured)" : "");
    }

    static String pct(double fraction) {
        double p = 100 * fraction;
        return (Math.abs(p - Math.rint(p)) < 1e-9 ? String.valueOf((long) Math.rint(p))
                : String.format(Locale.ROOT, "%.1f", p)) + " %";
    }
}
