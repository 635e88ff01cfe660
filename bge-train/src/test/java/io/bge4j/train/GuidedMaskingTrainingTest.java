package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.loss.GuidedMaskingLoss;
import io.bge4j.train.loss.GuidedMaskingLoss.MarginType;
import io.bge4j.train.loss.InfoNceLoss;
import io.bge4j.train.loss.LossInput;
import io.bge4j.train.loss.LossResult;
import io.bge4j.train.report.Fingerprints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guided masking through the trainer, on the tiny random model without dropout. Example 0's negative is
 * a duplicate of its positive for the model: the two texts differ only in their last word, and neither
 * word is in the model's vocabulary, so both tokenize to the same ids (asserted) and get the same
 * embedding, while the batch composer (which compares texts) keeps both. The guide then scores the
 * duplicate exactly as high as the positive, so any positive margin masks it. (The random model scores
 * every pair within about 1e-5 of each other, so the small margin used here also masks the candidates
 * the guide puts at or above a positive, roughly half of them: the counts are computed, not guessed.)
 *
 * <p>All 8 examples form the one batch of each step (B = 8, G = 2, one negative each, so the group is
 * not sampled); the loss is a mean over queries, so the batch order the composer picks does not change
 * it, and the expected values are computed here from the model's embeddings before training.
 */
class GuidedMaskingTrainingTest {

    private static final String POSITIVE = FinetunerTest.PAIRS[0][1] + " zzzunknown";
    private static final String DUPLICATE = FinetunerTest.PAIRS[0][1] + " qqqunknown";
    private static final double MARGIN = 1e-6;
    private static final double TAU = 0.02;

    static TrainingSet withDuplicate() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < FinetunerTest.PAIRS.length; i++) {
            String pos = i == 0 ? POSITIVE : FinetunerTest.PAIRS[i][1];
            String neg = i == 0 ? DUPLICATE : FinetunerTest.NEGATIVES[i][0];
            ex.add(TrainingExample.of(FinetunerTest.PAIRS[i][0], List.of(pos), List.of(neg)));
        }
        return TrainingSet.of("dup", ex);
    }

    private static BgeModel tiny(long seed) {
        return TinyModels.bert(FinetunerTest.allTexts(), seed, 0.0);
    }

    private static Finetuner.Builder base() {
        return Finetuner.builder().batchSize(8).groupSize(2).temperature(TAU).learningRate(1e-3).maxSteps(2).seed(3);
    }

    /** The first step's loss and mask, computed from {@code model}'s and {@code guide}'s embeddings. */
    private record Expected(double guided, double plain, long masked, boolean duplicateMasked) {}

    /**
     * Computes step 1 from micro-batch 0 as the trainer assembles it (same texts, same order, so the guide's
     * scores are bit-identical and no candidate near the threshold can flip): the guide's Q·Pᵀ, then
     * {@link GuidedMaskingLoss} and plain {@link InfoNceLoss} on the model's embeddings.
     */
    private static Expected byHand(BgeModel model, BgeModel guide) {
        RunSettings s = ConfigRules.resolve(base().build().config(), model, withDuplicate());
        MicroBatch b = new BatchSource(s, withDuplicate().examples(), new RunLog(List.of())).assemble(0);
        long[][] gq = guide == model ? b.queryIds() : guide.tokenizer().encode(b.queries(), 64);
        long[][] gp = guide == model ? b.passageIds() : guide.tokenizer().encode(b.passages(), 128);
        try (NDManager m = model.manager().newSubManager(); NDManager gm = guide.manager().newSubManager()) {
            NDArray q = model.embed(m, b.queryIds(), false);
            NDArray p = model.embed(m, b.passageIds(), false);
            float[] flat = guide.embed(gm, gq, false).matMul(guide.embed(gm, gp, false).transpose()).toFloatArray();
            double[][] g = new double[8][16];
            int dupRow = -1;
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 16; j++) {
                    g[i][j] = flat[i * 16 + j];
                }
                dupRow = b.passages().get(2 * i + 1).equals(DUPLICATE) ? i : dupRow;
            }
            GuidedMaskingLoss loss = GuidedMaskingLoss.builder().temperature(TAU).margin(MARGIN).build();
            LossResult guided = loss.compute(LossInput.of(q, p, 2).withGuideScores(g));
            LossResult plain = InfoNceLoss.builder().temperature(TAU).build().compute(LossInput.of(q, p, 2));
            // the duplicate is column 2i+1 of its query's row; its positive is column 2i
            boolean dup = g[dupRow][2 * dupRow + 1] > g[dupRow][2 * dupRow] - MARGIN;
            return new Expected(guided.loss().getFloat(), plain.loss().getFloat(), guided.maskedCandidates(), dup);
        }
    }

    @Test
    void theDuplicateTokenizesLikeThePositive() {
        try (BgeModel m = tiny(1)) {
            assertArrayEquals(m.tokenizer().encode(List.of(POSITIVE), 128)[0],
                    m.tokenizer().encode(List.of(DUPLICATE), 128)[0]);
        }
    }

    @Test
    void theFirstStepIsGuidedMaskingLossOnTheBaseModelsEmbeddings(@TempDir Path dir) throws Exception {
        try (BgeModel m = tiny(1)) {
            Expected want = byHand(m, m);
            assertTrue(want.duplicateMasked(), "the guide scores the duplicate like the positive");
            assertTrue(want.masked() >= 1);
            assertNotEquals(want.plain(), want.guided(), 1e-4, "masking the duplicate changes the loss");
            FinetuneResult r = base().outputDir(dir).saveFinal(false).guidedMasking(MARGIN, MarginType.ABSOLUTE)
                    .build().fit(m, withDuplicate());
            StepRecord first = r.steps().get(0);
            assertEquals(want.guided(), first.loss(), 1e-5 * Math.abs(want.guided()));
            assertEquals(want.masked(), first.maskedCandidates());
            long total = r.steps().stream().mapToLong(StepRecord::maskedCandidates).sum();
            TrainingDiagnostic d = r.diagnostics().stream().filter(x -> x.code().equals("GUIDED_MASKING"))
                    .findFirst().orElseThrow();
            assertTrue(d.message().contains("removed " + total + " (query, candidate) pairs"), d.message());
            String firstLine = Files.readAllLines(dir.resolve("metrics.jsonl")).stream()
                    .filter(l -> l.contains("\"type\":\"step\"")).findFirst().orElseThrow();
            assertTrue(firstLine.contains("\"masked_candidates\":" + want.masked()), firstLine);
            assertEquals(r.steps(), io.bge4j.train.report.MetricsLog.read(dir.resolve("metrics.jsonl")).steps());
        }
    }

    @Test
    void withoutTheOptionNothingIsMaskedAndTheLossIsInfoNce() {
        try (BgeModel m = tiny(1)) {
            Expected want = byHand(m, m);
            FinetuneResult r = base().build().fit(m, withDuplicate());
            assertEquals(want.plain(), r.steps().get(0).loss(), 1e-5 * Math.abs(want.plain()));
            assertTrue(r.steps().stream().allMatch(s -> s.maskedCandidates() == 0), r.steps()::toString);
            assertTrue(r.diagnostics().stream().noneMatch(x -> x.code().equals("GUIDED_MASKING")));
        }
    }

    @Test
    void gradCacheMasksAndComputesTheSameAsOneGraph() {
        // chunks of 16 texts: the guide embeds the batch whole, as without GradCache, so its scores are
        // bit-identical and the test compares the step strategies only (chunked guide scores: next test)
        List<StepRecord> plain;
        List<StepRecord> cached;
        try (BgeModel m = tiny(1)) {
            plain = base().guidedMasking(MARGIN, MarginType.ABSOLUTE).build().fit(m, withDuplicate()).steps();
        }
        try (BgeModel m = tiny(1)) {
            cached = base().guidedMasking(MARGIN, MarginType.ABSOLUTE).gradientCache(16).build()
                    .fit(m, withDuplicate()).steps();
        }
        assertEquals(2, cached.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(plain.get(i).loss(), cached.get(i).loss(), 1e-4, "step " + (i + 1));
            assertEquals(plain.get(i).maskedCandidates(), cached.get(i).maskedCandidates(), "step " + (i + 1));
        }
        assertTrue(cached.get(0).maskedCandidates() >= 1);
    }

    @Test
    void theGuideEmbedsInGradCacheChunksWithTheSameScores() {
        try (BgeModel m = tiny(1)) {
            MicroBatch b = batch0(m, 0);
            double[][] whole;
            double[][] chunked;
            try (GuideScorer g = open(settings(m, 0))) {
                whole = g.scores(b.queries(), b.passages(), b.queryIds(), b.passageIds(), 2);
            }
            try (GuideScorer g = open(settings(m, 3))) {
                chunked = g.scores(b.queries(), b.passages(), b.queryIds(), b.passageIds(), 2);
            }
            assertEquals(8, chunked.length);
            for (int i = 0; i < 8; i++) {
                assertEquals(16, chunked[i].length);
                assertArrayEquals(whole[i], chunked[i], 1e-6, "row " + i);
            }
            int d = b.passages().indexOf(DUPLICATE) / 2;
            assertEquals(whole[d][2 * d], whole[d][2 * d + 1], 0.0, "the duplicate's score is the positive's");
        }
    }

    @Test
    void withoutInBatchNegativesEachQueryIsScoredAgainstItsOwnGroup() {
        try (BgeModel m = tiny(1)) {
            MicroBatch b = batch0(m, 0);
            RunSettings s = ConfigRules.resolve(base().inBatchNegatives(false).guidedMasking(MARGIN,
                    MarginType.ABSOLUTE).build().config(), m, withDuplicate());
            double[][] all;
            double[][] own;
            try (GuideScorer g = open(settings(m, 0))) {
                all = g.scores(b.queries(), b.passages(), b.queryIds(), b.passageIds(), 2);
            }
            try (GuideScorer g = open(s)) {
                own = g.scores(b.queries(), b.passages(), b.queryIds(), b.passageIds(), 2);
            }
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(new double[] {all[i][2 * i], all[i][2 * i + 1]}, own[i], 0.0, "row " + i);
            }
        }
    }

    private static GuideScorer open(RunSettings s) {
        return GuideScorer.open(s, withDuplicate().examples(), new RunLog(List.of()));
    }

    @Test
    void teacherScoresThatGuidedMaskingDoesNotUseAreReportedOnce() {
        List<TrainingExample> scored = new ArrayList<>();
        for (TrainingExample e : withDuplicate().examples()) {
            scored.add(new TrainingExample(e.query(), e.positives(), e.negatives(), List.of(1.0), List.of(0.5),
                    e.prompt(), e.type(), e.source()));
        }
        try (BgeModel m = tiny(1)) {
            RunLog log = new RunLog(List.of());
            try (GuideScorer g = GuideScorer.open(settings(m, 0), scored, log)) {
                assertEquals(List.of("TEACHER_SCORES_IGNORED"), log.diagnostics().stream()
                        .map(TrainingDiagnostic::code).toList());
            }
            RunLog quiet = new RunLog(List.of());
            try (GuideScorer g = GuideScorer.open(settings(m, 0), withDuplicate().examples(), quiet)) {
                assertTrue(quiet.diagnostics().isEmpty(), quiet.diagnostics()::toString);
            }
        }
    }

    private static RunSettings settings(BgeModel m, int gradCache) {
        return ConfigRules.resolve(base().gradientCache(gradCache).guidedMasking(MARGIN, MarginType.ABSOLUTE).build()
                .config(), m, withDuplicate());
    }

    private static MicroBatch batch0(BgeModel m, int gradCache) {
        return new BatchSource(settings(m, gradCache), withDuplicate().examples(), new RunLog(List.of())).assemble(0);
    }

    @Test
    void aGivenGuideScoresTheBatchAndIsLeftOpen() {
        try (BgeModel m = tiny(1); BgeModel guide = tiny(9)) {
            Expected want = byHand(m, guide);
            FinetuneResult r = base().maxSteps(1).guidedMasking(guide, MARGIN, MarginType.ABSOLUTE).build()
                    .fit(m, withDuplicate());
            assertEquals(want.guided(), r.steps().get(0).loss(), 1e-5 * Math.abs(want.guided()));
            assertEquals(want.masked(), r.steps().get(0).maskedCandidates());
            // the trainer did not close the caller's guide: it still embeds
            try (NDManager sm = guide.manager().newSubManager()) {
                assertEquals(32, guide.embed(sm, guide.tokenizer().encode(List.of("play music"), 8), false)
                        .getShape().get(1));
            }
        }
    }

    @Test
    void aResumedRunGivenTheSameBaseModelIsGuidedAsTheRunItContinues(@TempDir Path dir) {
        List<StepRecord> reference;
        try (BgeModel m = tiny(1)) {
            reference = base().maxSteps(4).guidedMasking(MARGIN, MarginType.ABSOLUTE).build()
                    .fit(m, withDuplicate()).steps();
        }
        try (BgeModel m = tiny(1)) {
            RuntimeException crash = assertThrows(RuntimeException.class, () -> base().maxSteps(4).outputDir(dir)
                    .saveFinal(false).checkpointEvery(2).guidedMasking(MARGIN, MarginType.ABSOLUTE)
                    .listener(new TrainingListener() {
                        @Override
                        public void onStep(StepRecord r) {
                            if (r.step() == 3) {
                                throw new IllegalStateException("simulated crash at step 3");
                            }
                        }
                    }).build().fit(m, withDuplicate()));
            assertEquals("simulated crash at step 3", crash.getMessage());
        }
        // the base model again (not the crashed run's weights): the guide is copied from it before the
        // checkpoint's weights are loaded, as in the run that wrote the checkpoint
        try (BgeModel m = tiny(1)) {
            List<StepRecord> resumed = base().maxSteps(4).guidedMasking(MARGIN, MarginType.ABSOLUTE)
                    .resumeFrom(dir.resolve("checkpoints/step-00000002")).build().fit(m, withDuplicate()).steps();
            assertEquals(2, resumed.size());
            for (int i = 0; i < 2; i++) {
                StepRecord want = reference.get(i + 2);
                assertEquals(want.step(), resumed.get(i).step());
                assertEquals(want.loss(), resumed.get(i).loss(), 1e-6 * Math.abs(want.loss()), "step " + want.step());
                assertEquals(want.maskedCandidates(), resumed.get(i).maskedCandidates(), "step " + want.step());
            }
        }
    }

    @Test
    void aResumeWithAnotherGuideIsRefusedNamingTheGuide(@TempDir Path dir) {
        String saved;
        String other;
        String given;
        try (BgeModel m = tiny(1); BgeModel guide = tiny(9); BgeModel otherGuide = tiny(10)) {
            given = "given model " + guide.name() + " (dim " + guide.dimension() + "), weights ";
            saved = Fingerprints.model(guide);
            other = Fingerprints.model(otherGuide);
            assertNotEquals(saved, other, "the two guides differ");
            base().outputDir(dir).saveFinal(false).checkpointEvery(1).guidedMasking(guide, MARGIN, MarginType.ABSOLUTE)
                    .build().fit(m, withDuplicate());
        }
        Path checkpoint = dir.resolve("checkpoints/step-00000001");
        try (BgeModel m = tiny(1); BgeModel otherGuide = tiny(10)) {
            String msg = assertThrows(Bge4jException.class, () -> base().guidedMasking(otherGuide, MARGIN,
                    MarginType.ABSOLUTE).resumeFrom(checkpoint).build().fit(m, withDuplicate())).getMessage();
            assertEquals("cannot resume from " + checkpoint + ": it was written by a run with other settings (guide: "
                    + given + saved + " -> " + given + other + "); resume with the same data and options", msg);
        }
        // the frozen copy of the base instead of the given guide: also another guide
        try (BgeModel m = tiny(1)) {
            String base = Fingerprints.model(m);
            String msg = assertThrows(Bge4jException.class, () -> base().guidedMasking(MARGIN, MarginType.ABSOLUTE)
                    .resumeFrom(checkpoint).build().fit(m, withDuplicate())).getMessage();
            assertTrue(msg.contains("(guide: " + given + saved + " -> frozen copy of the starting model, weights "
                    + base + ")"), msg);
        }
        // the margin (and its type) are named through the loss
        try (BgeModel m = tiny(1); BgeModel guide = tiny(9)) {
            String msg = assertThrows(Bge4jException.class, () -> base().guidedMasking(guide, 2 * MARGIN,
                    MarginType.RELATIVE).resumeFrom(checkpoint).build().fit(m, withDuplicate())).getMessage();
            assertTrue(msg.contains("margin=" + MARGIN + ", marginType=ABSOLUTE) -> ") && msg.contains("margin="
                    + 2 * MARGIN + ", marginType=RELATIVE)") && !msg.contains("guide: "), msg);
        }
    }

    @Test
    void aResumeOfAFrozenCopyRunFromAnotherBaseModelIsRefused(@TempDir Path dir) {
        String copied;
        try (BgeModel m = tiny(1)) {
            copied = Fingerprints.model(m);
            base().outputDir(dir).saveFinal(false).checkpointEvery(1).guidedMasking(MARGIN, MarginType.ABSOLUTE)
                    .build().fit(m, withDuplicate());
        }
        // another base would give another frozen guide (the guide is copied before the checkpoint loads)
        try (BgeModel m = tiny(2)) {
            String now = Fingerprints.model(m);
            String msg = assertThrows(Bge4jException.class, () -> base().guidedMasking(MARGIN, MarginType.ABSOLUTE)
                    .resumeFrom(dir.resolve("checkpoints/step-00000001")).build().fit(m, withDuplicate()))
                    .getMessage();
            assertTrue(msg.contains("(guide: frozen copy of the starting model, weights " + copied
                    + " -> frozen copy of the starting model, weights " + now + ")"), msg);
        }
    }

    @Test
    void buildRefusesGuidedMaskingThatCannotWork() {
        try (BgeModel m = tiny(1)) {
            assertEquals("guidedMasking replaces the default loss with GuidedMaskingLoss and cannot be combined with"
                    + " loss(...); drop one of them", refusal(Finetuner.builder().guidedMasking(0, MarginType.ABSOLUTE)
                            .loss(InfoNceLoss.builder().build())));
            assertTrue(refusal(Finetuner.builder().guidedMasking(0, MarginType.ABSOLUTE).crossBatchMemory(16, 0))
                    .startsWith("guidedMasking cannot be combined with crossBatchMemory"));
            assertEquals("guidedMasking margin must be a finite value >= 0, got -0.1",
                    refusal(Finetuner.builder().guidedMasking(-0.1, MarginType.ABSOLUTE)));
            assertTrue(refusal(Finetuner.builder().guidedMasking(1.0, MarginType.RELATIVE))
                    .startsWith("guidedMasking margin must be < 1 with marginType RELATIVE"));
            assertEquals("guidedMasking marginType must not be null (ABSOLUTE or RELATIVE)",
                    refusal(Finetuner.builder().guidedMasking(0.1, null)));
            assertTrue(refusal(Finetuner.builder().model(m).guidedMasking(m, 0.1, MarginType.ABSOLUTE))
                    .startsWith("guidedMasking guide is the model being trained"));
            assertTrue(refusal(Finetuner.builder().loss(GuidedMaskingLoss.builder().build()))
                    .startsWith("loss is a GuidedMaskingLoss, but without a guide"));
            // the model is known only at fit(): the same check runs there
            Finetuner late = Finetuner.builder().guidedMasking(m, 0.1, MarginType.ABSOLUTE).maxSteps(1).build();
            assertTrue(assertThrows(IllegalArgumentException.class, () -> late.fit(m, withDuplicate())).getMessage()
                    .startsWith("guidedMasking guide is the model being trained"));
        }
    }

    private static String refusal(Finetuner.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }
}
