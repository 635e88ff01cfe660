package io.bge4j.train.report;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Properties;

/**
 * The software a model was trained with, for provenance and model cards.
 *
 * <p>Usage: {@code Versions v = Versions.current(); v.djl()}
 *
 * @param bge4j the bge4j version ({@code unknown} when not run from a packaged jar)
 * @param djl the DJL version
 * @param engine the DJL engine and its version, e.g. {@code PyTorch 2.5.1}
 * @param java the Java runtime: version and vendor
 * @param os the operating system: name, version, architecture
 */
public record Versions(String bge4j, String djl, String engine, String java, String os) {

    /** Requires every part. */
    public Versions {
        Objects.requireNonNull(bge4j, "bge4j");
        Objects.requireNonNull(djl, "djl");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(java, "java");
        Objects.requireNonNull(os, "os");
    }

    /**
     * Reads the versions of this JVM: bge4j from the jar manifest or Maven's {@code pom.properties}, DJL and the
     * engine from DJL (loading the engine if it is not loaded yet), Java and the OS from system properties.
     *
     * @return the versions
     */
    public static Versions current() {
        String engine;
        try {
            Engine e = Engine.getInstance();
            engine = e.getEngineName() + " " + e.getVersion();
        } catch (RuntimeException | LinkageError e) {
            engine = "unavailable (" + e.getMessage() + ")";
        }
        String djl;
        try {
            djl = Objects.requireNonNullElse(Engine.getDjlVersion(), "unknown");
        } catch (RuntimeException | LinkageError e) {
            djl = "unknown";
        }
        return new Versions(bge4jVersion(), djl, engine,
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
    }

    static String bge4jVersion() {
        String v = Versions.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = Versions.class.getResourceAsStream("/META-INF/maven/io.bge4j/bge-train/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String pv = p.getProperty("version");
                if (pv != null) {
                    return pv;
                }
            }
        } catch (IOException ignored) {
            // fall through to unknown
        }
        return "unknown (not run from a packaged jar)";
    }
}
