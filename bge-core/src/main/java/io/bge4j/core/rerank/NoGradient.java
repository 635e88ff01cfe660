package io.bge4j.core.rerank;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A region in which libtorch records no autograd graph, restoring the previous mode on close. Grad mode
 * is thread-local in libtorch, and a thread that never ran a DJL gradient collector may have it on, so
 * inference code that must not build a graph (scoring, teacher forward passes) opens one of these.
 *
 * <p>Usage: {@code try (NoGradient ignored = NoGradient.enter()) { float[] s = model.score(q, docs); }}
 */
public final class NoGradient implements AutoCloseable {

    private final boolean previous;
    private boolean closed;

    private NoGradient(boolean previous) {
        this.previous = previous;
    }

    /** @return a region with grad mode off on this thread until {@link #close()} */
    public static NoGradient enter() {
        boolean prev = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return new NoGradient(prev);
    }

    /** @return whether libtorch records gradients on this thread now */
    public static boolean gradModeEnabled() {
        return JniUtils.isGradMode();
    }

    /** Restores the grad mode found at {@link #enter()}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JniUtils.setGradMode(previous);
        }
    }
}
