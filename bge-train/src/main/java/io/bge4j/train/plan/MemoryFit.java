package io.bge4j.train.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The search side of {@link MemoryPlanner#plan}: whether an estimate fits the usable memory, the
 * largest GradCache chunk that fits, and what to change when not even chunks of one text fit.
 */
final class MemoryFit {

    private MemoryFit() {}

    /** On a GPU the runtime lives on the host; everything else is device memory. */
    static boolean fits(MemoryEstimate e, MemoryAvailability a, long usable) {
        long need = a.onGpu() ? e.total() - e.runtime() : e.total();
        return need <= usable;
    }

    /** @return the largest chunk in [1, max] whose step fits, or 0 when none does */
    static int largestChunk(MemoryPlanner planner, StepShape s, MemoryAvailability a, long usable, int max) {
        int lo = 0; // fits (0 = none found)
        int hi = max;
        while (lo < hi) { // activations grow with the chunk: binary search for the largest that fits
            int mid = (lo + hi + 1) >>> 1;
            if (fits(planner.estimate(s.withGradCacheChunk(mid)), a, usable)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** @return what to change, most effective first, when chunks of one text ({@code one}) do not fit */
    static List<String> advice(MemoryPlanner planner, StepShape s, MemoryAvailability a, long usable,
            MemoryEstimate one) {
        List<String> out = new ArrayList<>();
        long fixed = a.onGpu() ? one.fixed() - one.runtime() : one.fixed();
        if (fixed > usable) {
            long model = one.weights() + one.gradients() + one.optimizerMoments();
            out.add(String.format(Locale.ROOT, "the model's weights, gradients and AdamW moments (%s GiB)%s alone"
                    + " need %s GiB; use a smaller model or a machine with more memory", MemoryEstimate.gib(model),
                    a.onGpu() ? "" : " and the runtime (" + MemoryEstimate.gib(one.runtime()) + " GiB)",
                    MemoryEstimate.gib(fixed)));
            return out;
        }
        for (int len = s.passageMaxLength() / 2; len >= 16; len /= 2) {
            if (fits(planner.estimate(s.withGradCacheChunk(1).withPassageMaxLength(len)), a, usable)) {
                out.add("lower passageMaxLength from " + s.passageMaxLength() + " to " + len);
                break;
            }
        }
        if (s.crossBatchMemory() > 0) {
            out.add("lower or turn off the cross-batch memory (" + s.crossBatchMemory() + " passages)");
        }
        out.add("lower batchSize (" + s.batchSize() + ") or groupSize (" + s.groupSize()
                + "): the loss's score matrix and the cached embeddings grow with both");
        out.add(a.onGpu() ? "free GPU memory or use a larger GPU"
                : "give the process more memory (cgroup limit, fewer other processes)");
        return out;
    }
}
