package io.bge4j.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Explicit gradient-recording regions. libtorch keeps its grad mode per thread and DJL switches it
 * off only on the thread that first starts the engine, so code that relies on the ambient mode
 * behaves differently on a server's worker threads. Every region of the trainer therefore states its
 * mode: {@link #off()} around the optimizer update, evaluation, mining and GradCache's first pass;
 * a gradient collector (which turns recording on and restores the previous mode) around forward
 * passes that are back-propagated.
 *
 * <p>Usage: {@code try (GradMode.Region r = GradMode.off()) { optimizer.step(params, lr); }}
 */
final class GradMode {

    private GradMode() {}

    /** A region that restores the previous mode when closed. */
    interface Region extends AutoCloseable {
        @Override
        void close();
    }

    /** @return a region in which no autograd graph is recorded, on whatever thread calls it */
    static Region off() {
        if (!isPyTorch()) {
            return () -> {};
        }
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return () -> JniUtils.setGradMode(previous);
    }

    /** @return whether autograd records on this thread now (true on engines other than PyTorch) */
    static boolean isRecording() {
        return !isPyTorch() || JniUtils.isGradMode();
    }

    private static boolean isPyTorch() {
        return "PyTorch".equals(Engine.getInstance().getEngineName());
    }
}
