package io.bge4j.train;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Data variations for tests. */
final class BatchSourceTestData {

    private BatchSourceTestData() {}

    /** The same examples in reverse order: other data as far as a resume is concerned. */
    static TrainingSet reversed(TrainingSet set) {
        List<TrainingExample> ex = new ArrayList<>(set.examples());
        Collections.reverse(ex);
        return TrainingSet.of(set.name(), ex);
    }
}
