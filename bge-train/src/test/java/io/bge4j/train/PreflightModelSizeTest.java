package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.ModelSizeRecommendation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The preflight's model-size note is a stated prior that points to the measurement, never a bare threshold. */
class PreflightModelSizeTest {

    @Test
    void theModelSizeNoteStatesItsReasonsAndPointsToAdvise() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            FinetuneResult r = Finetuner.builder().batchSize(4).groupSize(2).maxSteps(1).seed(1).build()
                    .fit(m, FinetunerTest.trainingSet());
            List<TrainingDiagnostic> size = r.diagnostics().stream().filter(d -> d.code().equals("MODEL_SIZE")).toList();
            assertEquals(1, size.size(), r.diagnostics().toString());
            TrainingDiagnostic d = size.get(0);
            assertTrue(d.message().startsWith("with 8 training examples the recommended size is BASE, this model is "
                    + m.sizeClass() + " (a prior from the example count, not a measurement): 8 distinct examples is"
                    + " under ~10000"), d.message());
            assertTrue(d.message().endsWith(ModelSizeRecommendation.MEASURE_IT), d.message());
            assertTrue(d.suggestion().startsWith("measure it on your data: `bge4j advise --model"), d.suggestion());
            assertTrue(d.suggestion().contains("docs/advise.md"), d.suggestion());
        }
    }
}
