package io.bge4j.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.train.optim.LearningRateSchedule.Decay;
import org.junit.jupiter.api.Test;

/** Schedule values at named steps; T = 100 total steps, W = 10 warmup steps, peak 2e-5. */
class LearningRateScheduleTest {

    private static final double PEAK = 2e-5;
    private static final double TOL = 1e-15;

    private static LearningRateSchedule schedule(Decay decay) {
        return LearningRateSchedule.builder().peakLearningRate(PEAK).totalSteps(100).warmupRatio(0.1).decay(decay).build();
    }

    @Test
    void warmupIsLinearFromZeroForEveryDecay() {
        for (Decay d : Decay.values()) {
            LearningRateSchedule s = schedule(d);
            assertEquals(10, s.warmupSteps());
            assertEquals(0.0, s.learningRate(0), TOL, d + " step 0");
            assertEquals(PEAK * 1 / 10, s.learningRate(1), TOL, d + " step 1");
            assertEquals(PEAK * 5 / 10, s.learningRate(5), TOL, d + " step 5");
            assertEquals(PEAK, s.learningRate(10), TOL, d + " step 10 = end of warmup");
        }
    }

    @Test
    void linearDecay() {
        LearningRateSchedule s = schedule(Decay.LINEAR);
        // (T − s) / (T − W)
        assertEquals(PEAK * 89 / 90, s.learningRate(11), TOL);
        assertEquals(PEAK * 0.5, s.learningRate(55), TOL);
        assertEquals(PEAK * 1 / 90, s.learningRate(99), TOL);
        assertEquals(0.0, s.learningRate(100), TOL);
        assertEquals(0.0, s.learningRate(150), TOL);
    }

    @Test
    void cosineDecay() {
        LearningRateSchedule s = schedule(Decay.COSINE);
        // ½(1 + cos(π (s − W)/(T − W)))
        assertEquals(PEAK * 0.75, s.learningRate(40), 1e-12 * PEAK); // progress 1/3, cos = 1/2
        assertEquals(PEAK * 0.5, s.learningRate(55), 1e-12 * PEAK); // progress 1/2
        assertEquals(PEAK * 0.25, s.learningRate(70), 1e-12 * PEAK); // progress 2/3, cos = −1/2
        assertEquals(PEAK * 0.5 * (1 + Math.cos(Math.PI * 89 / 90)), s.learningRate(99), TOL);
        assertEquals(0.0, s.learningRate(100), TOL);
        assertEquals(0.0, s.learningRate(120), 1e-12 * PEAK);
    }

    @Test
    void constantAfterWarmup() {
        LearningRateSchedule s = schedule(Decay.CONSTANT);
        assertEquals(PEAK, s.learningRate(11), TOL);
        assertEquals(PEAK, s.learningRate(99), TOL);
        assertEquals(PEAK, s.learningRate(1000), TOL);
    }

    @Test
    void warmupRatioRoundsUpAndStepsAreTakenAsGiven() {
        assertEquals(10, LearningRateSchedule.builder().peakLearningRate(1).totalSteps(95).warmupRatio(0.1).build().warmupSteps());
        assertEquals(0, LearningRateSchedule.builder().peakLearningRate(1).totalSteps(95).build().warmupSteps());
        LearningRateSchedule s = LearningRateSchedule.builder().peakLearningRate(1).totalSteps(20).warmupSteps(4).build();
        assertEquals(4, s.warmupSteps());
        assertEquals(Decay.LINEAR, s.decay());
        assertEquals(0.75, s.learningRate(3), TOL);
        assertEquals(12.0 / 16, s.learningRate(8), TOL);
        // no warmup: the first step already uses the peak
        assertEquals(1.0, LearningRateSchedule.builder().peakLearningRate(1).totalSteps(20).build().learningRate(0), TOL);
    }

    @Test
    void invalidOptionsAreNamed() {
        assertMessage("peakLearningRate", () -> LearningRateSchedule.builder().totalSteps(10).build());
        assertMessage("totalSteps", () -> LearningRateSchedule.builder().peakLearningRate(1).build());
        assertMessage("warmupRatio", () -> LearningRateSchedule.builder().peakLearningRate(1).totalSteps(10).warmupRatio(1.5).build());
        assertMessage("warmupSteps", () -> LearningRateSchedule.builder().peakLearningRate(1).totalSteps(10).warmupSteps(11).build());
        assertMessage("not both", () -> LearningRateSchedule.builder().peakLearningRate(1).totalSteps(10)
                .warmupSteps(1).warmupRatio(0.1).build());
        assertMessage("decay", () -> LearningRateSchedule.builder().peakLearningRate(1).totalSteps(10).decay(null).build());
        assertMessage("step", () -> schedule(Decay.LINEAR).learningRate(-1));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
