package io.bge4j.data.quality;

import java.util.Objects;

/**
 * A per-example filter decision: keep, keep but flag (with a reason), or drop (with a reason).
 *
 * <p>Usage: {@code return ex.query().isBlank() ? Verdict.drop("blank query") : Verdict.keep();}
 *
 * @param action what to do
 * @param reason why (null for {@link Action#KEEP})
 */
public record Verdict(Action action, String reason) {
    private static final Verdict KEEP = new Verdict(Action.KEEP, null);

    /**
     * What a filter does with an example.
     *
     * <p>Usage: {@code if (v.action() == Verdict.Action.DROP) count++;}
     */
    public enum Action {
        /** Keep it. */
        KEEP,
        /** Keep it, but list it among the flagged examples. */
        FLAG,
        /** Remove it. */
        DROP
    }

    /** Checks that flag and drop carry a reason. */
    public Verdict {
        Objects.requireNonNull(action, "action");
        if (action != Action.KEEP && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException(action + " needs a reason");
        }
    }

    /** @return the keep verdict */
    public static Verdict keep() {
        return KEEP;
    }

    /**
     * @param reason why
     * @return a drop verdict
     */
    public static Verdict drop(String reason) {
        return new Verdict(Action.DROP, reason);
    }

    /**
     * @param reason why
     * @return a flag verdict
     */
    public static Verdict flag(String reason) {
        return new Verdict(Action.FLAG, reason);
    }
}
