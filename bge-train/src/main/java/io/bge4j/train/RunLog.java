package io.bge4j.train;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The diagnostics and listener fan-out of one run. A diagnostic reaches the user once: through the
 * user's listeners when there are any (the SLF4J line is then at debug level, so a console listener
 * and a console logger do not both print it), otherwise through SLF4J at its severity.
 */
final class RunLog {

    private static final Logger LOG = LoggerFactory.getLogger(Finetuner.class);

    private final List<TrainingListener> listeners;
    private final boolean userListeners;
    private final List<TrainingDiagnostic> diagnostics = new ArrayList<>();

    /** A log whose listeners are all the user's. */
    RunLog(List<TrainingListener> listeners) {
        this(List.of(), listeners);
    }

    /**
     * @param internal the trainer's own listeners (metrics log, step history), called first
     * @param user the user's listeners; when there are none, diagnostics are logged at their severity
     */
    RunLog(List<TrainingListener> internal, List<TrainingListener> user) {
        List<TrainingListener> all = new ArrayList<>(internal);
        all.addAll(user);
        this.listeners = List.copyOf(all);
        this.userListeners = !user.isEmpty();
    }

    void diagnose(TrainingDiagnostic.Severity severity, String code, long step, String message, String suggestion) {
        TrainingDiagnostic d = new TrainingDiagnostic(severity, code, step, message, suggestion);
        diagnostics.add(d);
        if (userListeners) {
            LOG.debug("{}", d);
        } else {
            switch (severity) {
                case ERROR -> LOG.error("{}", d);
                case WARNING -> LOG.warn("{}", d);
                default -> LOG.info("{}", d);
            }
        }
        for (TrainingListener l : listeners) {
            l.onDiagnostic(d);
        }
    }

    boolean hasErrors() {
        return diagnostics.stream().anyMatch(d -> d.severity() == TrainingDiagnostic.Severity.ERROR);
    }

    List<TrainingDiagnostic> diagnostics() {
        return List.copyOf(diagnostics);
    }

    void start(TrainingPlan plan) {
        listeners.forEach(l -> l.onStart(plan));
    }

    void step(StepRecord r) {
        listeners.forEach(l -> l.onStep(r));
    }

    void evaluation(EvaluationRecord r) {
        listeners.forEach(l -> l.onEvaluation(r));
    }

    void end(FinetuneResult r) {
        listeners.forEach(l -> l.onEnd(r));
    }
}
