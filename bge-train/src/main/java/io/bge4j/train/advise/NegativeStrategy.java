package io.bge4j.train.advise;

/**
 * Where a run's negatives come from, as {@link Advisor} compares them.
 *
 * <p>Usage: {@code Advisor.builder().strategies(List.of(NegativeStrategy.RANDOM, NegativeStrategy.HARD))}
 */
public enum NegativeStrategy {
    /** No group negatives: each query is trained against the other queries' positives in its batch (group size 1). */
    IN_BATCH("in-batch only"),
    /** Negatives drawn uniformly from the mining corpus ({@code RandomNegativeSampler}). */
    RANDOM("random corpus negatives"),
    /** Negatives mined with the base model from a rank window ({@code DenseNegativeMiner}), no false-negative filter. */
    HARD("hard negatives"),
    /** Hard negatives minus the candidates scoring within a relative margin of the weakest positive. */
    HARD_MARGIN("hard negatives with a false-negative margin");

    private final String label;

    NegativeStrategy(String label) {
        this.label = label;
    }

    /** @return a short human name, e.g. {@code random corpus negatives} */
    public String label() {
        return label;
    }

    /** @return the command-line spelling, e.g. {@code hard-margin} */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * @param name a command-line spelling ({@code in-batch}, {@code random}, {@code hard}, {@code hard-margin})
     * @return the strategy
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static NegativeStrategy parse(String name) {
        for (NegativeStrategy s : values()) {
            if (s.cliName().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown negative strategy '" + name
                + "'; use in-batch, random, hard or hard-margin");
    }
}
