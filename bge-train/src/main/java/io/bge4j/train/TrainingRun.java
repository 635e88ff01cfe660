package io.bge4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.nn.Scalars;
import io.bge4j.core.Embedder;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.batch.Batch;
import io.bge4j.data.batch.BatchComposer;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.train.diagnostics.Diagnostic;
import io.bge4j.train.diagnostics.LossMonitor;
import io.bge4j.train.loss.InfoNceLoss;
import io.bge4j.train.loss.LossInput;
import io.bge4j.train.loss.LossResult;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.AdamWState;
import io.bge4j.train.optim.LearningRateSchedule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of {@link Finetuner#fit()}: the step loop with its state. All randomness is derived
 * from (seed, step, micro-batch), so a run resumed from a checkpoint at step N takes exactly the
 * steps an uninterrupted run would have taken.
 */
final class TrainingRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STATE_FILE = "trainer_state.json";
    static final String OPTIMIZER_FILE = "optimizer.safetensors";

    private final Finetuner owner;
    private final Finetuner.Builder o;
    private final BgeModel model;
    private List<TrainingExample> examples;
    private final BatchComposer composer;
    private long planEpoch = -1;
    private List<Batch> plan;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private final InfoNceLoss loss;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final Optional<CrossBatchMemory> memory;
    private final LossMonitor monitor = LossMonitor.builder().build();
    private final Map<String, NDArray> params;
    private final List<StepRecord> steps = new ArrayList<>();
    private final List<EvaluationRecord> evaluations = new ArrayList<>();
    private BufferedWriter metricsLog;

    private long step;
    private double bestValue = Double.NEGATIVE_INFINITY;
    private double patienceReference = Double.NEGATIVE_INFINITY;
    private long bestStep = -1;
    private int evalsWithoutImprovement;
    private Map<String, TensorData> bestWeights;

    TrainingRun(Finetuner owner, BgeModel model, List<TrainingExample> examples, BatchComposer composer,
            long stepsPerEpoch, long totalSteps) {
        this.composer = composer;
        this.owner = owner;
        this.o = owner.options();
        this.model = model;
        this.examples = examples;
        this.stepsPerEpoch = stepsPerEpoch;
        this.totalSteps = totalSteps;
        this.loss = Finetuner.loss(o);
        this.optimizer = Finetuner.optimizer(o);
        this.schedule = Finetuner.schedule(o, totalSteps);
        this.memory = Finetuner.memory(o);
        this.params = model.parameters();
    }

    FinetuneResult execute() {
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        try {
            if (o.outputDir != null) {
                Files.createDirectories(o.outputDir);
                metricsLog = Files.newBufferedWriter(o.outputDir.resolve("metrics.jsonl"), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            if (o.resumeFrom != null) {
                resume(o.resumeFrom);
            }
            TrainingPlan plan = new TrainingPlan(examples.size(), o.batchSize, o.groupSize, o.gradientAccumulation,
                    stepsPerEpoch, totalSteps, step);
            for (TrainingListener l : owner.listeners()) {
                l.onStart(plan);
            }
            if (step == 0 && o.evaluator != null && o.evaluateBase) {
                evaluate();
            }
            FinetuneResult.StopReason reason = FinetuneResult.StopReason.COMPLETED;
            while (step < totalSteps) {
                refreshNegatives();
                int epoch = (int) (step / stepsPerEpoch);
                StepRecord rec = trainStep(epoch);
                if (rec == null) {
                    reason = FinetuneResult.StopReason.NON_FINITE_LOSS;
                    break;
                }
                boolean epochEnd = step % stepsPerEpoch == 0;
                boolean evalNow = o.evaluator != null && ((o.evaluateEvery > 0 && step % o.evaluateEvery == 0)
                        || (o.evaluateEachEpoch && epochEnd) || step == totalSteps);
                if (evalNow && (evaluations.isEmpty() || evaluations.get(evaluations.size() - 1).step() != step)) {
                    evaluate();
                    if (o.patience > 0 && evalsWithoutImprovement >= o.patience) {
                        owner.diagnose(TrainingDiagnostic.Severity.INFO, "EARLY_STOP", step, "no improvement of "
                                + o.primaryMetric + " by " + o.minDelta + " in " + o.patience + " evaluations; best "
                                + String.format("%.4f", bestValue) + " at step " + bestStep, "");
                        reason = FinetuneResult.StopReason.EARLY_STOPPED;
                        break;
                    }
                }
                if (o.checkpointEvery > 0 && step % o.checkpointEvery == 0) {
                    checkpoint();
                }
            }
            return finish(reason);
        } catch (IOException e) {
            throw new Bge4jException("cannot write training output to " + o.outputDir + ": " + e.getMessage(), e);
        } finally {
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
        }
    }

    private void refreshNegatives() {
        if (o.dynamicNegatives == null || step == 0 || !o.dynamicNegatives.isDue((int) step)) {
            return;
        }
        try (Embedder e = Finetuner.evalEmbedder(model, o)) {
            Optional<SamplingResult> r = o.dynamicNegatives.onStep((int) step, e);
            if (r.isPresent()) {
                examples = new ArrayList<>(r.get().examples());
                planEpoch = -1;
                owner.diagnose(TrainingDiagnostic.Severity.INFO, "NEGATIVES_REFRESHED", step,
                        r.get().report().summary(), "");
            }
        }
    }

    /** The examples of micro-batch {@code micro} (global index) in the composer's seeded plan for its epoch. */
    private List<TrainingExample> microBatch(long micro) {
        long microPerEpoch = stepsPerEpoch * o.gradientAccumulation;
        long epoch = micro / microPerEpoch;
        int within = (int) (micro % microPerEpoch);
        if (epoch != planEpoch) {
            plan = composer.compose(examples, (int) epoch).batches();
            planEpoch = epoch;
        }
        return plan.get(within % plan.size()).examples();
    }

    /** Queries, group-layout passages and teacher scores of one micro-batch, sampled as FlagEmbedding does. */
    record Group(List<String> queries, List<String> passages, List<String> positives, double[][] teacher) {}

    Group assemble(List<TrainingExample> batch, long micro) {
        SplittableRandom rnd = new SplittableRandom(mix(o.seed, 0xBA7C4, micro));
        int g = o.groupSize;
        List<String> queries = new ArrayList<>();
        List<String> passages = new ArrayList<>();
        List<String> positives = new ArrayList<>();
        boolean allTeacher = batch.stream().allMatch(TrainingExample::hasTeacherScores);
        double[][] teacher = allTeacher ? new double[batch.size()][g] : null;
        for (int i = 0; i < batch.size(); i++) {
            TrainingExample e = batch.get(i);
            String prompt = e.prompt() != null ? e.prompt() : model.queryInstruction();
            queries.add(prompt + e.query());
            int pi = rnd.nextInt(e.positives().size());
            String pos = e.positives().get(pi);
            passages.add(pos);
            positives.add(pos);
            if (teacher != null) {
                teacher[i][0] = e.positiveScores().get(pi);
            }
            List<Integer> negIdx = sampleNegatives(e.negatives().size(), g - 1, rnd);
            for (int k = 0; k < g - 1; k++) {
                if (negIdx.isEmpty()) {
                    // no negatives at all: a random positive of another example (reported in preflight)
                    String cand;
                    int tries = 0;
                    do {
                        TrainingExample other = examples.get(rnd.nextInt(examples.size()));
                        cand = other.positives().get(rnd.nextInt(other.positives().size()));
                    } while (cand.equals(pos) && ++tries < 16);
                    passages.add(cand);
                } else {
                    int ni = negIdx.get(k);
                    passages.add(e.negatives().get(ni));
                    if (teacher != null) {
                        teacher[i][k + 1] = e.negativeScores().get(ni);
                    }
                }
            }
        }
        return new Group(queries, passages, positives, teacher);
    }

    /** FlagEmbedding: sample without replacement when there are enough, else from the list repeated. */
    static List<Integer> sampleNegatives(int available, int need, SplittableRandom rnd) {
        if (available == 0 || need == 0) {
            return List.of();
        }
        List<Integer> pool = new ArrayList<>();
        int copies = available >= need ? 1 : (need + available - 1) / available;
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < available; i++) {
                pool.add(i);
            }
        }
        for (int i = 0; i < need; i++) { // partial Fisher-Yates
            int j = i + rnd.nextInt(pool.size() - i);
            Collections.swap(pool, i, j);
        }
        return new ArrayList<>(pool.subList(0, need));
    }

    /** @return the step record, or null when the loss was not finite (weights untouched) */
    private StepRecord trainStep(int epoch) {
        long t0 = System.nanoTime();
        double lossSum = 0;
        double conSum = 0;
        double kdSum = 0;
        long tokens = 0;
        int queries = 0;
        long nextStep = step + 1;
        for (int a = 0; a < o.gradientAccumulation; a++) {
            long micro = step * o.gradientAccumulation + a;
            Group b = assemble(microBatch(micro), micro);
            queries += b.queries().size();
            try (NDManager sm = Finetuner.stepManager(model)) {
                long[][] qIds = model.tokenizer().encode(b.queries(), o.queryMaxLength);
                long[][] pIds = model.tokenizer().encode(b.passages(), o.passageMaxLength);
                for (long[] x : qIds) {
                    tokens += x.length;
                }
                for (long[] x : pIds) {
                    tokens += x.length;
                }
                double[] parts = o.gradientCacheMiniBatch > 0
                        ? gradCacheMicroStep(sm, b, qIds, pIds, micro, nextStep)
                        : plainMicroStep(sm, b, qIds, pIds, micro, nextStep);
                if (!Double.isFinite(parts[0])) {
                    Optional<Diagnostic> d = monitor.observe(nextStep, parts[0]).stream().findFirst();
                    AdamW.zeroGradients(params);
                    onNonFinite(nextStep, parts[0], d);
                    return null;
                }
                lossSum += parts[0];
                conSum += parts[1];
                kdSum += parts[2];
            }
        }
        double lr = schedule.learningRate(step);
        double gradNorm = Finetuner.clip(params, o.maxGradNorm);
        if (!Double.isFinite(gradNorm)) {
            AdamW.zeroGradients(params);
            onNonFinite(nextStep, gradNorm, Optional.empty());
            return null;
        }
        optimizer.step(params, lr);
        AdamW.zeroGradients(params);
        step = nextStep;
        double secs = (System.nanoTime() - t0) / 1e9;
        int n = o.gradientAccumulation;
        StepRecord rec = new StepRecord(step, epoch, lossSum / n, conSum / n, kdSum / n, lr, gradNorm,
                queries / secs, tokens / secs);
        steps.add(rec);
        log(stepJson(rec));
        for (TrainingListener l : owner.listeners()) {
            l.onStep(rec);
        }
        for (Diagnostic d : monitor.observe(step, rec.loss())) {
            owner.diagnose(d.severity() == Diagnostic.Severity.ERROR ? TrainingDiagnostic.Severity.ERROR
                    : TrainingDiagnostic.Severity.WARNING, d.kind().name(), d.step(), d.message(), d.suggestion());
        }
        return rec;
    }

    /**
     * The parameter gradients of one micro-batch (the same path as training, no optimizer step);
     * for tests that compare GradCache with plain back-propagation.
     */
    Map<String, float[]> gradients(long micro) {
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        Group b = assemble(microBatch(micro), micro);
        try (NDManager sm = Finetuner.stepManager(model)) {
            long[][] qIds = model.tokenizer().encode(b.queries(), o.queryMaxLength);
            long[][] pIds = model.tokenizer().encode(b.passages(), o.passageMaxLength);
            if (o.gradientCacheMiniBatch > 0) {
                gradCacheMicroStep(sm, b, qIds, pIds, micro, step + 1);
            } else {
                plainMicroStep(sm, b, qIds, pIds, micro, step + 1);
            }
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                try (NDManager scope = sm.newSubManager()) {
                    e.getValue().tempAttach(scope);
                    out.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                }
            }
            AdamW.zeroGradients(params);
            return out;
        }
    }

    private void onNonFinite(long badStep, double value, Optional<Diagnostic> d) {
        String where = o.outputDir == null ? "in memory" : "in " + o.outputDir.resolve("last-good");
        owner.diagnose(TrainingDiagnostic.Severity.ERROR, "NON_FINITE_LOSS", badStep, "loss or gradient became "
                + value + " at step " + badStep + "; training stopped and the weights after step " + step
                + " were kept " + where,
                d.map(Diagnostic::suggestion).orElse("lower the learning rate, raise the temperature, check the data"
                        + " for empty texts, or clip gradients harder"));
        if (o.outputDir != null) {
            writeCheckpoint(o.outputDir.resolve("last-good"));
        }
    }

    private int dropoutSeed(long micro, int part, int chunk) {
        return (int) (mix(o.seed, 0xD209 + part, micro * 100_003L + chunk) & 0x7fffffff);
    }

    private double[] plainMicroStep(NDManager sm, Group b, long[][] qIds, long[][] pIds, long micro, long nextStep) {
        try (GradientCollector gc = Finetuner.collector()) {
            Engine.getInstance().setRandomSeed(dropoutSeed(micro, 0, 0));
            NDArray q = model.embed(sm, qIds, true);
            NDArray p = model.embed(sm, pIds, true);
            LossResult r = Finetuner.computeLoss(loss, withMemory(sm, q, p, b, nextStep));
            double[] parts = parts(r);
            if (Double.isFinite(parts[0])) {
                gc.backward(r.loss().div(Scalars.of(r.loss(), o.gradientAccumulation)));
            }
            remember(p, b);
            return parts;
        }
    }

    /**
     * GradCache (Gao et al. 2021): embeddings of the whole batch without a graph, the loss gradient
     * with respect to them, then each chunk again with a graph and the same dropout masks,
     * back-propagating {@code sum(e * dL/de)}.
     */
    private double[] gradCacheMicroStep(NDManager sm, Group b, long[][] qIds, long[][] pIds, long micro,
            long nextStep) {
        int c = o.gradientCacheMiniBatch;
        NDArray q = embedChunks(sm, qIds, c, micro, 1);
        NDArray p = embedChunks(sm, pIds, c, micro, 2);
        q.setRequiresGradient(true);
        p.setRequiresGradient(true);
        double[] parts;
        try (GradientCollector gc = Finetuner.collector()) {
            LossResult r = Finetuner.computeLoss(loss, withMemory(sm, q, p, b, nextStep));
            parts = parts(r);
            if (!Double.isFinite(parts[0])) {
                return parts;
            }
            gc.backward(r.loss().div(Scalars.of(r.loss(), o.gradientAccumulation)));
        }
        NDArray dq = q.getGradient();
        NDArray dp = p.getGradient();
        replayChunks(sm, qIds, dq, c, micro, 1);
        replayChunks(sm, pIds, dp, c, micro, 2);
        q.setRequiresGradient(false);
        remember(p, b);
        return parts;
    }

    private NDArray embedChunks(NDManager sm, long[][] ids, int c, long micro, int part) {
        NDList chunks = new NDList();
        for (int start = 0, k = 0; start < ids.length; start += c, k++) {
            long[][] chunk = java.util.Arrays.copyOfRange(ids, start, Math.min(ids.length, start + c));
            Engine.getInstance().setRandomSeed(dropoutSeed(micro, part, k));
            try (NDManager cm = sm.newSubManager()) {
                NDArray e = model.embed(cm, chunk, true);
                e.attach(sm);
                chunks.add(e);
            }
        }
        return chunks.size() == 1 ? chunks.head() : NDArrays.concat(chunks, 0);
    }

    private void replayChunks(NDManager sm, long[][] ids, NDArray grad, int c, long micro, int part) {
        for (int start = 0, k = 0; start < ids.length; start += c, k++) {
            long[][] chunk = java.util.Arrays.copyOfRange(ids, start, Math.min(ids.length, start + c));
            try (NDManager cm = sm.newSubManager(); GradientCollector gc = Finetuner.collector()) {
                Engine.getInstance().setRandomSeed(dropoutSeed(micro, part, k));
                NDArray e = model.embed(cm, chunk, true);
                NDArray g = grad.get(start + ":" + Math.min(ids.length, start + c));
                g.attach(cm);
                gc.backward(e.mul(g).sum());
            }
        }
    }

    private LossInput withMemory(NDManager sm, NDArray q, NDArray p, Group b, long nextStep) {
        LossInput in = Finetuner.lossInput(q, p, o.groupSize, b.teacher());
        if (memory.isPresent()) {
            Optional<CrossBatchMemory.MemoryNegatives> neg = memory.get().negatives(nextStep, sm, b.positives());
            if (neg.isPresent()) {
                in = in.withExtraNegatives(neg.get().embeddings(), neg.get().mask());
            }
        }
        return in;
    }

    private void remember(NDArray p, Group b) {
        memory.ifPresent(m -> m.add(p, b.passages()));
    }

    private static double[] parts(LossResult r) {
        return new double[] {
            r.loss().getFloat(),
            r.contrastive() == null ? r.loss().getFloat() : r.contrastive().getFloat(),
            r.distillation() == null ? 0 : r.distillation().getFloat()
        };
    }

    private void evaluate() {
        EvaluationResult r = Finetuner.evaluate(o.evaluator, model, o).orElseThrow();
        double value = r.mean(o.primaryMetric);
        // the best checkpoint follows any gain; patience counts evaluations without a gain of minDelta
        boolean best = value > bestValue;
        if (value > patienceReference + o.minDelta || patienceReference == Double.NEGATIVE_INFINITY) {
            patienceReference = value;
            evalsWithoutImprovement = 0;
        } else {
            evalsWithoutImprovement++;
        }
        if (best) {
            bestValue = value;
            bestStep = step;
            bestWeights = model.toTensors();
            if (o.outputDir != null) {
                model.save(o.outputDir.resolve("best"));
            }
        }
        EvaluationRecord rec = new EvaluationRecord(step, o.primaryMetric.toString(), value, Finetuner.scalars(r), best);
        evaluations.add(rec);
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "eval").put("step", step).put("primary", rec.primaryMetric()).put("value", value)
                .put("best", best);
        rec.metrics().forEach(j.putObject("metrics")::put);
        log(j);
        for (TrainingListener l : owner.listeners()) {
            l.onEvaluation(rec);
        }
    }

    private FinetuneResult finish(FinetuneResult.StopReason reason) {
        if (o.outputDir != null && o.saveFinal) {
            model.save(o.outputDir.resolve("final"));
        }
        if (o.outputDir != null && o.checkpointEvery > 0 && reason != FinetuneResult.StopReason.NON_FINITE_LOSS) {
            checkpoint();
        }
        BgeModel best = model;
        if (bestWeights != null && bestStep != step) {
            best = model.copy();
            best.loadTensors(bestWeights);
        }
        FinetuneResult result = new FinetuneResult(model, best, steps, evaluations, owner.diagnostics(), reason, step,
                Optional.ofNullable(o.outputDir));
        for (TrainingListener l : owner.listeners()) {
            l.onEnd(result);
        }
        return result;
    }

    // ---------------------------------------------------------------- checkpoints

    private void checkpoint() {
        Path dir = o.outputDir.resolve("checkpoints").resolve(String.format("step-%08d", step));
        writeCheckpoint(dir);
        try (Stream<Path> s = Files.list(o.outputDir.resolve("checkpoints"))) {
            List<Path> all = s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            for (int i = 0; i < all.size() - o.keepCheckpoints; i++) {
                AtomicFiles.deleteTree(all.get(i));
            }
        } catch (IOException e) {
            LOG.warn("could not prune old checkpoints: {}", e.getMessage());
        }
    }

    /** Model (HF layout) + optimizer moments + trainer state, assembled in a temp folder, then moved. */
    private void writeCheckpoint(Path dir) {
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = dir.getParent().resolve("." + dir.getFileName() + ".tmp");
            AtomicFiles.deleteTree(tmp);
            model.save(tmp);
            optimizer.exportState().save(tmp.resolve(OPTIMIZER_FILE));
            ObjectNode st = JSON.createObjectNode();
            st.put("step", step).put("total_steps", totalSteps).put("seed", o.seed).put("examples", examples.size())
                    .put("best_value", bestValue).put("best_step", bestStep)
                    .put("evals_without_improvement", evalsWithoutImprovement)
                    .put("patience_reference", patienceReference);
            Files.writeString(tmp.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(st));
            if (bestWeights != null && bestStep != step) {
                Safetensors.write(tmp.resolve("best.safetensors"), bestWeights.values(), Map.of());
            }
            AtomicFiles.deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Bge4jException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    private void resume(Path dir) {
        Path state = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(state)) {
            throw new Bge4jException("cannot resume: " + state + " not found; resumeFrom needs a checkpoint folder"
                    + " (outputDir/checkpoints/step-NNNNNNNN) written by checkpointEvery");
        }
        try {
            JsonNode st = JSON.readTree(state.toFile());
            if (st.path("total_steps").asLong() != totalSteps || st.path("seed").asLong() != o.seed
                    || st.path("examples").asInt() != examples.size()) {
                throw new Bge4jException("cannot resume from " + dir + ": it was written by a run with total_steps="
                        + st.path("total_steps") + ", seed=" + st.path("seed") + ", examples=" + st.path("examples")
                        + " but this run has " + totalSteps + ", " + o.seed + ", " + examples.size()
                        + "; resume with the same data and options");
            }
            model.loadTensors(Safetensors.readAll(dir.resolve("model.safetensors")));
            optimizer.importState(AdamWState.load(dir.resolve(OPTIMIZER_FILE)));
            step = st.path("step").asLong();
            bestValue = st.path("best_value").asDouble(Double.NEGATIVE_INFINITY);
            bestStep = st.path("best_step").asLong(-1);
            evalsWithoutImprovement = st.path("evals_without_improvement").asInt();
            patienceReference = st.path("patience_reference").asDouble(Double.NEGATIVE_INFINITY);
            if (Files.isRegularFile(dir.resolve("best.safetensors"))) {
                bestWeights = Safetensors.readAll(dir.resolve("best.safetensors"));
            } else if (bestStep == step) {
                bestWeights = model.toTensors();
            }
            LOG.info("resumed from {} at step {}", dir, step);
        } catch (IOException e) {
            throw new Bge4jException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- utilities

    private static ObjectNode stepJson(StepRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "step").put("step", r.step()).put("epoch", r.epoch()).put("loss", r.loss())
                .put("contrastive_loss", r.contrastiveLoss()).put("distillation_loss", r.distillationLoss())
                .put("lr", r.learningRate()).put("grad_norm", r.gradNorm())
                .put("examples_per_s", r.examplesPerSecond()).put("tokens_per_s", r.tokensPerSecond());
        return j;
    }

    private void log(ObjectNode line) {
        if (metricsLog == null) {
            return;
        }
        try {
            metricsLog.write(line.toString());
            metricsLog.newLine();
            metricsLog.flush();
        } catch (IOException e) {
            throw new Bge4jException("cannot append to " + o.outputDir.resolve("metrics.jsonl") + ": " + e.getMessage(), e);
        }
    }

    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        optimizer.close();
        memory.ifPresent(CrossBatchMemory::close);
        if (metricsLog != null) {
            try {
                metricsLog.close();
            } catch (IOException ignored) {
                // the log was flushed after every line
            }
        }
    }
}
