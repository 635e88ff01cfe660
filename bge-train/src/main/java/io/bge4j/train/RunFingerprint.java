package io.bge4j.train;

import io.bge4j.core.Bge4jException;
import io.bge4j.data.TrainingExample;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a checkpoint records about the run that wrote it, so that a resume can say what differs: every
 * option that shapes the trajectory (strict: a difference refuses the resume) and the options that only
 * decide how long the run goes or what it reports (lenient: a difference is a warning), plus a SHA-256
 * of the training data as given (before negative sampling).
 */
final class RunFingerprint {

    /** Options a resumed run may change; a warning says what changed. */
    static final Set<String> LENIENT = Set.of("epochs", "maxSteps", "totalSteps", "evaluateEvery", "evaluateEachEpoch",
            "evaluateBase", "patience", "minDelta", "checkpointEvery", "keepCheckpoints", "saveFinal");

    private RunFingerprint() {}

    static Map<String, String> options(RunSettings s, long totalSteps) {
        FinetuneConfig c = s.config();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", s.model().name() + " (dim " + s.model().dimension() + ")");
        m.put("batchSize", "" + c.batchSize());
        m.put("groupSize", "" + c.groupSize());
        m.put("queryMaxLength", "" + s.queryMaxLength());
        m.put("passageMaxLength", "" + s.passageMaxLength());
        m.put("loss", s.loss().describe()); // a guided loss names its margin and margin type
        m.put("guide", s.guide());
        m.put("learningRate", "" + s.learningRate());
        m.put("weightDecay", "" + c.weightDecay());
        m.put("warmupRatio", "" + c.warmupRatio());
        m.put("schedule", "" + c.schedule());
        m.put("maxGradNorm", "" + c.maxGradNorm());
        m.put("gradientAccumulation", "" + c.gradientAccumulation());
        m.put("seed", "" + c.seed());
        m.put("gradientCache", "" + c.gradientCacheMiniBatch());
        m.put("keyedDropout", c.keyedDropout() == null ? "auto" : "" + c.keyedDropout());
        m.put("crossBatchMemory", c.memorySize() + " entries, warm-up " + c.memoryWarmup());
        m.put("lengthBucketing", "" + c.lengthBucketing());
        m.put("negativeSampler", c.negativeSampler() == null ? "none" : c.negativeSampler().getClass().getName());
        m.put("dynamicNegatives", c.dynamicNegatives() == null ? "none" : c.dynamicNegatives().getClass().getName());
        m.put("epochs", "" + c.epochs());
        m.put("maxSteps", "" + c.maxSteps());
        m.put("totalSteps", "" + totalSteps);
        m.put("evaluateEvery", "" + c.evaluateEvery());
        m.put("evaluateEachEpoch", "" + c.evaluateEachEpoch());
        m.put("evaluateBase", "" + c.evaluateBase());
        m.put("patience", "" + c.patience());
        m.put("minDelta", "" + c.minDelta());
        m.put("checkpointEvery", "" + c.checkpointEvery());
        m.put("keepCheckpoints", "" + c.keepCheckpoints());
        m.put("saveFinal", "" + c.saveFinal());
        return m;
    }

    /** SHA-256 over every field of every example, in order. */
    static String dataHash(List<TrainingExample> examples) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (TrainingExample e : examples) {
                for (Object part : new Object[] {e.query(), e.positives(), e.negatives(), e.positiveScores(),
                    e.negativeScores(), e.prompt(), e.type(), e.source()}) {
                    md.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0x1f);
                }
                md.update((byte) 0x1e);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * @return the lenient differences, as "name: checkpoint → now" lines (to warn about)
     * @throws Bge4jException naming every strict difference and the data when it differs
     */
    static List<String> compare(String where, Map<String, String> saved, String savedHash, Map<String, String> now,
            String nowHash) {
        List<String> strict = new ArrayList<>();
        List<String> lenient = new ArrayList<>();
        for (Map.Entry<String, String> e : now.entrySet()) {
            String old = saved.get(e.getKey());
            if (old != null && !old.equals(e.getValue())) {
                (LENIENT.contains(e.getKey()) ? lenient : strict).add(e.getKey() + ": " + old + " -> " + e.getValue());
            }
        }
        if (savedHash.isEmpty() || saved.isEmpty()) {
            strict.add("the checkpoint records neither options nor a data hash (written by an older bge4j), so"
                    + " nothing can be checked");
        } else if (!savedHash.equals(nowHash)) {
            strict.add("training data: SHA-256 " + savedHash.substring(0, 12) + "… -> " + nowHash.substring(0, 12) + "…");
        }
        if (!strict.isEmpty()) {
            throw new Bge4jException("cannot resume from " + where + ": it was written by a run with other settings ("
                    + String.join("; ", strict) + "); resume with the same data and options");
        }
        return lenient;
    }
}
