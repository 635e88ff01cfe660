package io.bge4j.train.plan;

/**
 * The measured constants of {@link MemoryPlanner}'s formula: a scale on each of its two activation terms
 * (the per-token term and the per-token-pair attention term) and the resident memory of the runtime
 * itself (JVM, libtorch, tokenizer) before the model's tensors.
 *
 * <p>{@link #DEFAULT} holds the values fitted to probe steps of bge-small-en-v1.5 on CPU (PyTorch 2.5.1,
 * DJL 0.33); docs/memory.md lists the points and the command that measures them. {@link #fit} refits the
 * scales from your own probe points.
 *
 * <p>Usage: {@code MemoryPlanner.builder().config(config).calibration(MemoryCalibration.DEFAULT).build()}
 *
 * @param tokenScale measured / formula for the term proportional to tokens (1 = autograd keeps exactly what
 *     the formula counts)
 * @param attentionScale measured / formula for the term proportional to texts x length²
 * @param runtimeBytes resident bytes of the process with no model tensors
 */
public record MemoryCalibration(double tokenScale, double attentionScale, long runtimeBytes) {

    /**
     * Fitted to ten bge-small-en-v1.5 probe steps (1.32, 1.12); the runtime is the probe JVM's resident size
     * less the model's weights and gradients (about 220 MiB with {@code -Xmx512m}). A trainer should replace
     * the runtime with its own measurement ({@link #withRuntimeBytes}); see docs/memory.md, "Calibration".
     */
    public static final MemoryCalibration DEFAULT = new MemoryCalibration(1.32, 1.12, 220L << 20);

    /** Validates the constants. */
    public MemoryCalibration {
        if (!(tokenScale > 0) || !Double.isFinite(tokenScale)) {
            throw new IllegalArgumentException("tokenScale must be a positive finite number, got " + tokenScale);
        }
        if (!(attentionScale > 0) || !Double.isFinite(attentionScale)) {
            throw new IllegalArgumentException("attentionScale must be a positive finite number, got "
                    + attentionScale);
        }
        if (runtimeBytes < 0) {
            throw new IllegalArgumentException("runtimeBytes must be >= 0, got " + runtimeBytes);
        }
    }

    /**
     * @param bytes the runtime's resident bytes, e.g. this process's VmRSS less the model's weights and gradients
     * @return a copy with that runtime
     */
    public MemoryCalibration withRuntimeBytes(long bytes) {
        return new MemoryCalibration(tokenScale, attentionScale, bytes);
    }

    /**
     * Least squares through the origin for {@code measured ≈ a * tokenTerm + b * attentionTerm} over probe
     * points (the 2x2 normal equations). Points must vary the length at a fixed token count, or the two terms
     * cannot be told apart (then the matrix is singular and this throws).
     *
     * @param tokenTerms the formula's per-token term per probe point, bytes
     * @param attentionTerms the formula's attention term per probe point, bytes
     * @param measured the measured peak rise of one step per probe point, bytes
     * @param runtimeBytes resident bytes of the runtime, kept as given
     * @return the fitted calibration
     */
    public static MemoryCalibration fit(double[] tokenTerms, double[] attentionTerms, double[] measured,
            long runtimeBytes) {
        int n = measured.length;
        if (tokenTerms.length != n || attentionTerms.length != n || n < 2) {
            throw new IllegalArgumentException("fit needs at least two points and equal lengths, got "
                    + tokenTerms.length + ", " + attentionTerms.length + ", " + n);
        }
        double tt = 0;
        double ta = 0;
        double aa = 0;
        double tm = 0;
        double am = 0;
        for (int i = 0; i < n; i++) {
            tt += tokenTerms[i] * tokenTerms[i];
            ta += tokenTerms[i] * attentionTerms[i];
            aa += attentionTerms[i] * attentionTerms[i];
            tm += tokenTerms[i] * measured[i];
            am += attentionTerms[i] * measured[i];
        }
        double det = tt * aa - ta * ta;
        if (Math.abs(det) <= 1e-9 * tt * aa) {
            throw new IllegalArgumentException("the probe points do not separate the token and attention terms;"
                    + " measure at least two lengths");
        }
        return new MemoryCalibration((tm * aa - am * ta) / det, (am * tt - tm * ta) / det, runtimeBytes);
    }
}
