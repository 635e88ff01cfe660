package io.bge4j.eval.verdict;

/**
 * What a paired comparison says about one evaluator.
 *
 * <p>Usage: {@code if (v.outcome() == Outcome.REGRESSED) log.warn(v.line());}
 */
public enum Outcome {
    /** The whole confidence interval of the delta lies above zero. */
    IMPROVED("improved"),
    /** The confidence interval contains zero: the change may be noise. */
    NO_SIGNIFICANT_CHANGE("no significant change"),
    /** The whole confidence interval lies below zero. */
    REGRESSED("regressed");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    /** @return a lowercase label for reports */
    public String label() {
        return label;
    }

    /**
     * @param ciLow lower end of the delta's interval
     * @param ciHigh upper end
     * @return the outcome the interval supports
     */
    public static Outcome ofInterval(double ciLow, double ciHigh) {
        if (ciLow > 0) {
            return IMPROVED;
        }
        if (ciHigh < 0) {
            return REGRESSED;
        }
        return NO_SIGNIFICANT_CHANGE;
    }
}
