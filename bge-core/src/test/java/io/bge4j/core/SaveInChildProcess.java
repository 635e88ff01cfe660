package io.bge4j.core;

import io.bge4j.core.search.EmbeddingCache;
import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM (so a test can set its umask and working directory): saves a tiny model into
 * {@code args[0]} (relative to the working directory, e.g. {@code "."}), writes one file through
 * {@link AtomicFiles} and one embedding-cache entry.
 */
final class SaveInChildProcess {

    static final List<String> TEXTS = List.of("apt installs packages", "a web server", "kernel modules");

    public static void main(String[] args) {
        try (BgeModel m = TinyModels.bert(TEXTS, 7)) {
            m.save(Path.of(args[0]));
        }
        AtomicFiles.writeString(Path.of(args[0]).resolve("reports").resolve("report.md"), "# report\n");
        EmbeddingCache.in(Path.of(args[0]).resolve("cache"))
                .store("k", EmbeddingMatrix.of(new float[][] {{1f, 2f}, {3f, 4f}}));
    }

    /**
     * Runs {@link #main} under {@code umask} with {@code workDir} as working directory.
     *
     * @return the child's combined output
     */
    static String run(Path workDir, String umask, String target) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
                "umask " + umask + " && exec \"$0\" -Xmx512m -Dai.djl.offline=true -cp \"$1\" "
                        + SaveInChildProcess.class.getName() + " \"$2\"",
                java, System.getProperty("java.class.path"), target));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + out);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("child JVM failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
