package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSizeAdviceTest {

    @Test
    void everyRecommendationEndsByPointingToAMeasurement() {
        for (long n : List.of(10L, 9_999L, 10_000L, 99_999L, 100_000L, 5_000_000L)) {
            List<String> reasons = ModelSizeRecommendation.forExampleCount(n).reasons();
            assertEquals(ModelSizeRecommendation.MEASURE_IT, reasons.get(reasons.size() - 1), "for " + n);
            assertTrue(reasons.get(0).startsWith(n + " distinct examples is "), "the first reason states the count");
        }
    }

    @Test
    void theExampleCountMessageSaysItIsAPriorAndPointsToTheMeasurement() {
        String last = ModelSizeRecommendation.MEASURE_IT;
        assertTrue(last.contains("example count alone, not from a measurement"), last);
        assertTrue(last.contains("`bge4j advise`") && last.contains("docs/advise.md"), last);
        assertTrue(last.contains("learning-curve slope and loss plateau"), last);
    }
}
