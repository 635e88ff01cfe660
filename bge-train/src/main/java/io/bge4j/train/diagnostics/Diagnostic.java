package io.bge4j.train.diagnostics;

import java.util.Objects;

/**
 * One finding about a training run: what was seen, at which step, and what to try.
 *
 * <p>Usage: {@code for (Diagnostic d : monitor.observe(step, loss)) listener.onDiagnostic(d);}
 *
 * @param kind what was detected
 * @param step the optimizer step at which it was detected
 * @param message what happened, with the numbers that show it
 * @param suggestion what to change
 */
public record Diagnostic(Kind kind, long step, String message, String suggestion) {

    /**
     * What a {@link Diagnostic} reports.
     *
     * <p>Usage: {@code if (d.kind() == Kind.NON_FINITE_LOSS) stopTraining();}
     */
    public enum Kind {
        /** The loss is NaN or infinite: the run cannot continue. */
        NON_FINITE_LOSS(Severity.ERROR),
        /** The loss has stayed near zero: the negatives are too easy to teach anything. */
        LOSS_NEAR_ZERO(Severity.WARNING),
        /** The loss has stopped improving. */
        PLATEAU(Severity.WARNING);

        private final Severity severity;

        Kind(Severity severity) {
            this.severity = severity;
        }

        /** @return how serious this kind is */
        public Severity severity() {
            return severity;
        }
    }

    /**
     * How serious a diagnostic is.
     *
     * <p>Usage: {@code if (d.severity() == Severity.ERROR) stopTraining();}
     */
    public enum Severity {
        /** Worth acting on; training can go on. */
        WARNING,
        /** Training should stop. */
        ERROR
    }

    /** Requires every part. */
    public Diagnostic {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(suggestion, "suggestion");
    }

    /** @return the severity of the kind */
    public Severity severity() {
        return kind.severity();
    }
}
