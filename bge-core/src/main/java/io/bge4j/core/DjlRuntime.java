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
 * artifact to add, instead of DJL's attempt to download one. The version it names is the libtorch that
 * DJL's JNI on the class path ({@code pytorch-jni}) is built for; on {@code linux-aarch64}, where no
 * libtorch 2.5.1 jar is published, it names {@value #AARCH64_PYTORCH_VERSION} together with DJL
 * {@value #AARCH64_DJL_VERSION}, whose JNI is built for it.
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

    /**
     * The libtorch of the {@code linux-aarch64} build: the first version of which DJL publishes a
     * {@code pytorch-native-cpu} jar for that platform ({@code pytorch-native-cpu-precxx11} stops at 2.4.0).
     */
    public static final String AARCH64_PYTORCH_VERSION = "2.7.1";

    /** The DJL release the {@code linux-aarch64} build uses: its JNI is built for {@value #AARCH64_PYTORCH_VERSION}. */
    public static final String AARCH64_DJL_VERSION = "0.36.0";

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
            Optional<String> missing = missingNativeAdvice(platform, natives,
                    jniLibtorchVersion(DjlRuntime.class.getClassLoader()));
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
     * The CPU native artifact for a platform, as Maven coordinates, for bge4j's default DJL
     * (libtorch {@value #PYTORCH_VERSION}); on {@code linux-aarch64}, for which no such jar exists, the
     * {@value #AARCH64_PYTORCH_VERSION} one, which needs DJL {@value #AARCH64_DJL_VERSION}
     * ({@code ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0}) instead of DJL 0.33.0.
     *
     * @param platform {@code linux-x86_64}, {@code linux-aarch64}, {@code osx-aarch64} or {@code win-x86_64}
     * @return e.g. {@code ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64}, or empty for other platforms
     */
    public static Optional<String> cpuNativeArtifact(String platform) {
        return cpuNativeArtifact(platform, PYTORCH_VERSION);
    }

    /**
     * The CPU native artifact for a platform and the libtorch version of DJL's JNI, as Maven coordinates.
     *
     * @param libtorch e.g. {@code 2.5.1}; on {@code linux-aarch64} a version older than
     *     {@value #AARCH64_PYTORCH_VERSION} (none published there) gives the {@value #AARCH64_PYTORCH_VERSION} jar
     */
    static Optional<String> cpuNativeArtifact(String platform, String libtorch) {
        String version = switch (platform) {
            case "linux-x86_64", "osx-aarch64", "win-x86_64" -> libtorch;
            case "linux-aarch64" -> atLeast(libtorch, AARCH64_PYTORCH_VERSION) ? libtorch : AARCH64_PYTORCH_VERSION;
            default -> null;
        };
        return Optional.ofNullable(version).map(v -> "ai.djl.pytorch:pytorch-native-cpu:" + v + ":" + platform);
    }

    /**
     * The libtorch version DJL's JNI on the class path is built for.
     *
     * @return e.g. {@code 2.5.1} for {@code pytorch-jni:2.5.1-0.33.0}; empty when no {@code pytorch-jni} is found
     */
    static Optional<String> jniLibtorchVersion(ClassLoader cl) {
        URL url = cl.getResource("jnilib/pytorch.properties");
        if (url == null) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = url.openStream()) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String jni = p.getProperty("jni_version", "");
        int dash = jni.indexOf('-');
        return dash > 0 ? Optional.of(jni.substring(0, dash)) : Optional.empty();
    }

    /** Whether dotted version {@code v} is {@code min} or later, number by number (2.10.0 is after 2.7.1). */
    static boolean atLeast(String v, String min) {
        String[] a = v.split("\\.");
        String[] b = min.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? number(a[i]) : 0;
            int y = i < b.length ? number(b[i]) : 0;
            if (x != y) {
                return x > y;
            }
        }
        return true;
    }

    private static int number(String part) {
        int end = 0;
        while (end < part.length() && Character.isDigit(part.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(part.substring(0, end));
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
     * @param jniLibtorch the libtorch version of DJL's JNI on the class path, when known
     *     ({@link #jniLibtorchVersion}); else {@value #PYTORCH_VERSION} is assumed
     * @return empty when one of them is for {@code platform}
     */
    static Optional<String> missingNativeAdvice(String platform, List<Properties> natives,
            Optional<String> jniLibtorch) {
        if (natives.stream().anyMatch(p -> platform.equals(p.getProperty("classifier")))) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder("no PyTorch native library for ").append(platform)
                .append(" is on the class path");
        if (!natives.isEmpty()) {
            sb.append(" (found only ").append(describe(natives)).append(")");
        }
        String libtorch = jniLibtorch.orElse(PYTORCH_VERSION);
        Optional<String> cpu = cpuNativeArtifact(platform, libtorch);
        if (cpu.isPresent()) {
            sb.append(". Add ").append(cpu.get()).append(" (runtime scope)");
            if (platform.equals("linux-aarch64") && !atLeast(libtorch, AARCH64_PYTORCH_VERSION)) {
                sb.append(" and use DJL ").append(AARCH64_DJL_VERSION).append(" (ai.djl:api, ai.djl.pytorch:pytorch-engine,")
                        .append(" ai.djl.huggingface:tokenizers ").append(AARCH64_DJL_VERSION)
                        .append(", ai.djl.pytorch:pytorch-jni:").append(AARCH64_PYTORCH_VERSION).append('-')
                        .append(AARCH64_DJL_VERSION).append("): the DJL JNI on the class path is built for libtorch ")
                        .append(libtorch).append(", which has no linux-aarch64 jar on Maven Central");
            }
            if (platform.equals("linux-x86_64") && libtorch.equals(PYTORCH_VERSION)) {
                sb.append(", or ai.djl.pytorch:pytorch-native-cu124:").append(PYTORCH_VERSION)
                        .append(":linux-x86_64 for an NVIDIA GPU");
            }
        } else {
            sb.append(". bge4j runs on linux-x86_64, linux-aarch64, osx-aarch64 and win-x86_64; on others point"
                    + " PYTORCH_LIBRARY_PATH at a local libtorch ").append(libtorch);
        }
        return Optional.of(sb.append("; see docs/install.md (\"Choose a native library\")").toString());
    }

    private static String describe(List<Properties> natives) {
        return String.join(", ", natives.stream()
                .map(p -> p.getProperty("flavor", "?") + " build for " + p.getProperty("classifier", "?")).toList());
    }
}
