package io.bge4j.train.rerank;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bge4j.core.rerank.EncodedPair;
import io.bge4j.data.TrainingExample;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingPlan;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.GradientClipping;
import io.bge4j.train.optim.LearningRateSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reranker's training loop: epochs of shuffled batches, one forward/backward pass per batch with a
 * per-step dropout seed, clipping, an AdamW update (skipped when the loss is not finite), the step's
 * record to the listeners, and the evaluation policy after every step and at the end.
 */
final class RerankLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RerankerFinetuner.class);

    private final RerankOptions o;
    private final RerankGroups data;
    private final RerankBestWeights evaluation;

    RerankLoop(RerankOptions o, RerankGroups data, RerankBestWeights evaluation) {
        this.o = o;
        this.data = data;
        this.evaluation = evaluation;
    }

    /** @return the steps taken, in order; the model is updated in place */
    List<StepRecord> run() {
        List<TrainingExample> usable = data.usable();
        long stepsPerEpoch = (usable.size() + o.batchSize() - 1) / o.batchSize();
        long total = stepsPerEpoch * o.epochs();
        if (o.maxSteps() > 0) {
            total = Math.min(total, o.maxSteps());
        }
        LearningRateSchedule schedule = LearningRateSchedule.builder().peakLearningRate(o.learningRate())
                .totalSteps(total).warmupRatio(o.warmupRatio()).decay(o.decay()).build();
        GroupRerankLoss loss = new GroupRerankLoss(o.distillationWeight());
        TrainingPlan plan = new TrainingPlan(usable.size(), o.batchSize(), o.groupSize(), 1, stepsPerEpoch, total, 0);
        o.listeners().forEach(l -> l.onStart(plan));
        Map<String, NDArray> params = o.model().parameters();
        List<StepRecord> steps = new ArrayList<>();
        Random rnd = new Random(o.seed());
        params.values().forEach(p -> p.setRequiresGradient(true));
        try (AdamW adamw = AdamW.builder().weightDecay(o.weightDecay()).build()) {
            long step = 0;
            outer:
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < usable.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, rnd);
                for (int from = 0; from < order.size(); from += o.batchSize()) {
                    if (step >= total) {
                        break outer;
                    }
                    List<TrainingExample> batch = new ArrayList<>();
                    for (int k = from; k < Math.min(order.size(), from + o.batchSize()); k++) {
                        batch.add(usable.get(order.get(k)));
                    }
                    long ts = System.nanoTime();
                    RerankGroups.GroupBatch g = data.draw(batch, rnd);
                    double lr = schedule.learningRate(adamw.stepCount());
                    double[] parts = step(g, loss, (int) (mixSeed(o.seed(), step) & 0x7fffffff));
                    double norm = Double.NaN;
                    if (Double.isFinite(parts[0])) {
                        norm = o.maxGradNorm() > 0 ? GradientClipping.clipByGlobalNorm(params, o.maxGradNorm())
                                : GradientClipping.globalNorm(params);
                        adamw.step(params, lr);
                    } else {
                        LOG.warn("step {}: loss is {}; update skipped", step + 1, parts[0]);
                    }
                    AdamW.zeroGradients(params);
                    step++;
                    double secs = Math.max(1e-9, (System.nanoTime() - ts) / 1e9);
                    long tokens = g.pairs().stream().mapToLong(EncodedPair::length).sum();
                    StepRecord rec = new StepRecord(step, epoch, parts[0], parts[1], parts[2], lr, norm,
                            batch.size() / secs, tokens / secs);
                    steps.add(rec);
                    o.listeners().forEach(l -> l.onStep(rec));
                    evaluation.afterStep(step, total);
                }
            }
            evaluation.finish(step);
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
        return steps;
    }

    /** One forward/backward pass; returns {loss, crossEntropy, distillation}. */
    private double[] step(RerankGroups.GroupBatch g, GroupRerankLoss loss, int dropoutSeed) {
        try (NDManager sm = o.model().encoderModel().manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Engine.getInstance().setRandomSeed(dropoutSeed);
                NDArray scores = o.model().logits(sm, g.pairs(), true).reshape(g.groups(), o.groupSize());
                NDArray teacher = g.teacher() == null ? null
                        : sm.create(g.teacher(), new Shape(g.groups(), o.groupSize()));
                GroupRerankLoss.Result r = loss.compute(scores, teacher);
                double value = r.crossEntropy() + o.distillationWeight() * r.distillation();
                if (Double.isFinite(value)) {
                    gc.backward(r.loss());
                }
                return new double[] {value, r.crossEntropy(), r.distillation()};
            }
        }
    }

    private static long mixSeed(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
