package io.bge4j.core;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Brings up DJL's PyTorch engine without any network access: libtorch comes from the
 * {@code pytorch-native-*} jar on the classpath, and {@code ai.djl.offline=true} is set unless the
 * user has already chosen a value.
 *
 * <p>Usage: {@code Device d = DjlRuntime.defaultDevice(); // gpu(0) with -Pcuda on a GPU machine, else cpu()}
 */
public final class DjlRuntime {

    private DjlRuntime() {}

    /**
     * Sets offline mode (unless set) and returns the PyTorch engine.
     *
     * @return the engine
     * @throws Bge4jException when libtorch cannot be loaded, with advice
     */
    public static Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new Bge4jException("cannot start DJL's PyTorch engine offline: " + e.getMessage()
                    + ". Put ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64 (or -cu124 for CUDA) and"
                    + " pytorch-jni:2.5.1-0.33.0 on the classpath", e);
        }
    }

    /** @return the engine's default device: the first GPU when the CUDA build and a GPU are present, else CPU */
    public static Device defaultDevice() {
        return engine().defaultDevice();
    }
}
