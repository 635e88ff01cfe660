package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bge4j.data.TrainingExample;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherScoreNoticeTest {

    @Test
    void countsTheExamplesWhoseTeacherScoresASamplerDrops() {
        TrainingExample scored = TrainingExample.builder().query("q").positives(List.of("p")).negatives(List.of("n"))
                .positiveScores(List.of(1.0)).negativeScores(List.of(0.2)).build();
        TrainingExample plain = TrainingExample.of("q2", List.of("p2"), List.of());
        assertEquals(2, TeacherScoreNotice.warnIfDropped("test", List.of(scored, plain, scored)));
        assertEquals(0, TeacherScoreNotice.warnIfDropped("test", List.of(plain)));
        // and a sampler's output indeed has none
        assertEquals(null, scored.withNegatives(List.of("x")).negativeScores());
    }
}
