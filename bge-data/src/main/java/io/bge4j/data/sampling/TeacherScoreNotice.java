package io.bge4j.data.sampling;

import io.bge4j.data.TrainingExample;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samplers replace an example's negatives, and the teacher scores of the old negatives cannot carry
 * over, so the new examples have none: distillation is off for them. Each sampling call that does this
 * says so once, as a warning, with the number of examples concerned.
 */
final class TeacherScoreNotice {

    private static final Logger LOG = LoggerFactory.getLogger(TeacherScoreNotice.class);

    private TeacherScoreNotice() {}

    /** @return how many of {@code examples} carry teacher scores (after warning when any do) */
    static int warnIfDropped(String sampler, List<TrainingExample> examples) {
        int scored = 0;
        for (TrainingExample e : examples) {
            if (e.hasTeacherScores()) {
                scored++;
            }
        }
        if (scored > 0) {
            LOG.warn("{}: {} of {} examples carry teacher scores (pos_scores/neg_scores); the sampled negatives have"
                    + " none, so the output has no teacher scores and distillation is off for these examples. Score the"
                    + " new negatives with the teacher before training to keep distillation.", sampler, scored,
                    examples.size());
        }
        return scored;
    }
}
