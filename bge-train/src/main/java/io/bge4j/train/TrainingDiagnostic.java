package io.bge4j.train;

/**
 * A finding about the run, with what to do about it.
 *
 * <p>Usage: {@code if (d.severity() == TrainingDiagnostic.Severity.ERROR) ...}
 *
 * @param severity INFO, WARNING or ERROR
 * @param code a stable identifier (e.g. {@code LOSS_NEAR_ZERO})
 * @param step the step it concerns (0 for preflight)
 * @param message what was found
 * @param suggestion what to change (empty for nothing)
 */
public record TrainingDiagnostic(Severity severity, String code, long step, String message, String suggestion) {

    /**
     * Requires severity, code and message; a null suggestion becomes empty, so a finding written to
     * {@code metrics.jsonl} reads back equal.
     */
    public TrainingDiagnostic {
        java.util.Objects.requireNonNull(severity, "severity");
        java.util.Objects.requireNonNull(code, "code");
        java.util.Objects.requireNonNull(message, "message");
        suggestion = suggestion == null ? "" : suggestion;
    }

    /** How serious a finding is. */
    public enum Severity {
        /** For information. */
        INFO,
        /** Probably hurts the result. */
        WARNING,
        /** The run cannot go on. */
        ERROR
    }

    @Override
    public String toString() {
        return severity + " " + code + (step > 0 ? " at step " + step : "") + ": " + message
                + (suggestion.isEmpty() ? "" : " -> " + suggestion);
    }
}
