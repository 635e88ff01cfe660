package io.bge4j.data.sampling;

import io.bge4j.core.Embedder;
import java.util.Optional;

/**
 * The callback a trainer makes so that negatives can follow the model as it learns. After every
 * optimiser step the trainer asks {@link #isDue(int)}; only when it is due does it wrap its current
 * weights as an {@link Embedder} and call {@link #onStep(int, Embedder)}, then trains on the
 * returned examples from the next step on.
 *
 * <p>Usage (inside a training loop):
 * <pre>{@code
 * if (sampler instanceof NegativeRefresher r && r.isDue(step)) {
 *     try (Embedder current = model.embedder().build()) {
 *         r.onStep(step, current).ifPresent(res -> examples = res.examples());
 *     }
 * }
 * }</pre>
 */
public interface NegativeRefresher {

    /**
     * @param step the number of optimiser steps completed (1-based)
     * @return whether {@link #onStep(int, Embedder)} would refresh at this step
     */
    boolean isDue(int step);

    /**
     * @param step the number of optimiser steps completed (1-based)
     * @param current the model as it is now (used, not closed)
     * @return refreshed examples when due, otherwise empty
     */
    Optional<SamplingResult> onStep(int step, Embedder current);
}
