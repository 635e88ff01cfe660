package io.bge4j.train.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressEstimatorTest {

    @Test
    void warmupStepsAreLeftOutOfTheMovingAverage() {
        ProgressEstimator p = ProgressEstimator.builder().totalSteps(10).warmupSteps(2).window(3).build();
        assertTrue(p.estimate().isEmpty());
        p.recordStep(30, 4, 100, 200); // warm-up
        ProgressEstimator.Estimate w = p.estimate().orElseThrow();
        assertFalse(w.settled());
        assertEquals(30, w.secondsPerStep(), 1e-12);
        assertEquals(9 * 30, w.remainingSeconds(), 1e-9);
        p.recordStep(20, 4, 100, 200); // warm-up
        p.recordStep(4, 4, 100, 200);
        p.recordStep(6, 4, 100, 200);
        p.recordStep(8, 4, 100, 200);
        p.recordStep(10, 4, 100, 200); // window of 3: 6, 8, 10
        ProgressEstimator.Estimate e = p.estimate().orElseThrow();
        assertTrue(e.settled());
        assertEquals(8, e.secondsPerStep(), 1e-12);
        assertEquals(6, e.stepsDone());
        assertEquals(4 * 8, e.remainingSeconds(), 1e-9);
        // throughput over all measured step time: 600 real tokens in 78 s; 24 examples
        assertEquals(600 / 78.0, e.realTokensPerSecond(), 1e-12);
        assertEquals(24 / 78.0, e.examplesPerSecond(), 1e-12);
        assertEquals(0.5, e.paddingEfficiency(), 1e-12);
    }

    @Test
    void measuredEvaluationsEnterTheEta() {
        ProgressEstimator p = ProgressEstimator.builder().totalSteps(100).evaluateEvery(25).warmupSteps(0)
                .startStep(50).build();
        p.recordStep(2, 8, 10, 10);
        p.recordEvaluation(40);
        p.recordEvaluation(20);
        ProgressEstimator.Estimate e = p.estimate().orElseThrow();
        // done 51: 49 steps left at 2 s; evaluations at 75 and 100 left (4 in all, 2 done by step 51) at 30 s
        assertEquals(2, e.evaluationsLeft());
        assertEquals(49 * 2 + 2 * 30, e.remainingSeconds(), 1e-9);
        assertEquals(100 * 2 + 4 * 30, e.totalSeconds(), 1e-9);
        assertTrue(e.describe().contains("ETA 2m 38s"), e.describe());
    }

    @Test
    void warnsAboutLongRunsWithTheSettingsThatShortenThem() {
        ProgressEstimator p = ProgressEstimator.builder().totalSteps(1000).warmupSteps(1).build();
        p.recordStep(100, 32, 1000, 4000);
        assertTrue(p.longRunWarning(Duration.ofHours(1), new ProgressEstimator.RunSettings(8, 64, 256, 2)).isEmpty(),
                "no warning before the average settles");
        p.recordStep(10, 32, 1000, 4000);
        Optional<String> w = p.longRunWarning(Duration.ofHours(1), new ProgressEstimator.RunSettings(8, 64, 256, 2));
        assertTrue(w.isPresent());
        String s = w.get();
        // 1000 steps x 10 s = 10000 s = 2h 46m; passages 256 -> 128: (64 + 8*128) / (64 + 8*256) = 1088 / 2112
        assertTrue(s.contains("about 2h 46m"), s);
        assertTrue(s.contains("passage length 256 -> 128 (about 1h 25m)"), s);
        // group 8 -> 4: (64 + 4*256) / 2112 = 1088 / 2112 as well; epochs 2 -> 1 halves
        assertTrue(s.contains("group size 8 -> 4 (about 1h 25m)"), s);
        assertTrue(s.contains("epochs 2 -> 1 (about 1h 23m)"), s);
        assertTrue(s.contains("25% of processed tokens are real"), s);
        assertTrue(p.longRunWarning(Duration.ofHours(3), new ProgressEstimator.RunSettings(8, 64, 256, 2)).isEmpty());
    }

    @Test
    void builderAndRecordsRejectBadValues() {
        assertThrows(IllegalArgumentException.class, () -> ProgressEstimator.builder().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProgressEstimator.builder().totalSteps(5).window(0).build());
        assertTrue(e.getMessage().startsWith("window"));
        ProgressEstimator p = ProgressEstimator.builder().totalSteps(5).build();
        assertThrows(IllegalArgumentException.class, () -> p.recordStep(1, 1, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> p.recordEvaluation(-1));
    }
}
