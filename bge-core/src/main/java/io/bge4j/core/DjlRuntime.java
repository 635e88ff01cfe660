package io.bge4j.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Brings up DJL's PyTorch engine without any network access: libtorch comes from the
 * {@code pytorch-native-*} jar on the class path, and {@code ai.djl.offline=true} is set unless the
 * user has already chosen a value.
 *
 * <p>bge4j's libraries do not bring a native library themselves: the application picks one for its
 * platform (see {@code docs/install.md}), e.g. {@code ai.djl.pytorch:pytorch-native-cpu:2.5.1} with
 * classifier {@code linux-x86_64}. When none fits, {@link #engine()} fails with a message naming the
 * artifact to add, instead of DJL's attempt to download one.
 *
 * <p>When only CPU builds of libtorch are on the class path, DJL's CUDA probe is pointless, and on a
 * machine with a CUDA runtime but no usable driver it logs {@code Failed to detect GPU count}
 * warnings; bge4j then lowers that one logger ({@code ai.djl.util.cuda.CudaUtils}) to ERROR for
 * slf4j-simple, unless the user configured it. With a CUDA build on the class path the warnings stay.
 *
 * <p>Usage: {@code Device d = DjlRuntime.defaultDevice(); // gpu(0) with a CUDA native on a GPU machine, else cpu()}
 */
public final class DjlRuntime {

    /** The libtorch version bge4j is built and tested against. */
    public static final String PYTORCH_VERSION = "2.5.1";

    private static final String CUDA_PROBE_LOGGER = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";

    private DjlRuntime() {}

    /**
     * Sets offline mode (unless set) and returns the PyTorch engine.
     *
     * @return the engine
     * @throws Bge4jException when libtorch cannot be loaded: names the native artifact for this platform
     *     when none is on the class path
     */
    public static Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        List<Properties> natives = bundledNatives(DjlRuntime.class.getClassLoader());
        if (!natives.isEmpty() && natives.stream().allMatch(p -> p.getProperty("flavor", "").startsWith("cpu"))
                && System.getProperty(CUDA_PROBE_LOGGER) == null) {
            System.setProperty(CUDA_PROBE_LOGGER, "error");
        }
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            String platform = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
            Optional<String> missing = missingNativeAdvice(platform, natives);
            if (missing.isPresent() && System.getenv("PYTORCH_LIBRARY_PATH") == null) {
                throw new Bge4jException(missing.get(), e);
            }
            throw new Bge4jException("cannot start DJL's PyTorch engine: " + e.getMessage() + ". A native library for "
                    + platform + " is on the class path (" + describe(natives) + "), so libtorch itself failed to"
                    + " load; check that it matches this machine (glibc, CUDA driver for a cuXXX build)", e);
        }
    }

    /** @return the engine's default device: the first GPU when a CUDA build and a GPU are present, else CPU */
    public static Device defaultDevice() {
        return engine().defaultDevice();
    }

    /**
     * The CPU native artifact for a platform, as Maven coordinates.
     *
     * @param platform {@code linux-x86_64}, {@code linux-aarch64}, {@code osx-aarch64} or {@code win-x86_64}
     * @return e.g. {@code ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64}, or empty for other platforms
     */
    public static Optional<String> cpuNativeArtifact(String platform) {
        String artifact = switch (platform) {
            case "linux-x86_64", "osx-aarch64", "win-x86_64" -> "pytorch-native-cpu";
            case "linux-aarch64" -> "pytorch-native-cpu-precxx11";
            default -> null;
        };
        return Optional.ofNullable(artifact).map(a -> "ai.djl.pytorch:" + a + ":" + PYTORCH_VERSION + ":" + platform);
    }

    /** DJL's platform name for an {@code os.name} / {@code os.arch} pair. */
    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String name = os.startsWith("win") ? "win" : os.startsWith("mac") || os.contains("darwin") ? "osx"
                : os.startsWith("linux") ? "linux" : os.replace(' ', '_');
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch.toLowerCase(Locale.ROOT);
        };
        return name + "-" + arch;
    }

    /** Every {@code native/lib/pytorch.properties} on the class path (one per pytorch-native jar). */
    static List<Properties> bundledNatives(ClassLoader cl) {
        List<Properties> out = new ArrayList<>();
        try {
            for (URL url : Collections.list(cl.getResources("native/lib/pytorch.properties"))) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                if (p.getProperty("placeholder") == null) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            // unreadable class path entries: treated as no native library; the engine start reports the rest
        }
        return out;
    }

    /**
     * The message for a platform none of whose native libraries is on the class path.
     *
     * @param platform e.g. {@code linux-aarch64}
     * @param natives the {@code pytorch.properties} found
     * @return empty when one of them is for {@code platform}
     */
    static Optional<String> missingNativeAdvice(String platform, List<Properties> natives) {
        if (natives.stream().anyMatch(p -> platform.equals(p.getProperty("classifier")))) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder("no PyTorch native library for ").append(platform)
                .append(" is on the class path");
        if (!natives.isEmpty()) {
            sb.append(" (found only ").append(describe(natives)).append(")");
        }
        Optional<String> cpu = cpuNativeArtifact(platform);
        if (cpu.isPresent()) {
            sb.append(". Add ").append(cpu.get()).append(" (runtime scope)");
            if (platform.equals("linux-x86_64")) {
                sb.append(", or ai.djl.pytorch:pytorch-native-cu124:").append(PYTORCH_VERSION)
                        .append(":linux-x86_64 for an NVIDIA GPU");
            }
        } else {
            sb.append(". bge4j runs on linux-x86_64, linux-aarch64, osx-aarch64 and win-x86_64; on others point"
                    + " PYTORCH_LIBRARY_PATH at a local libtorch ").append(PYTORCH_VERSION);
        }
        return Optional.of(sb.append("; see docs/install.md (\"Choose a native library\")").toString());
    }

    private static String describe(List<Properties> natives) {
        return String.join(", ", natives.stream()
                .map(p -> p.getProperty("flavor", "?") + " build for " + p.getProperty("classifier", "?")).toList());
    }
}
