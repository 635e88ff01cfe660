package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlRuntimeTest {

    private static Properties nativeOf(String flavor, String classifier) {
        Properties p = new Properties();
        p.setProperty("version", "2.5.1-20241113");
        p.setProperty("flavor", flavor);
        p.setProperty("classifier", classifier);
        return p;
    }

    @Test
    void platformNamesFollowDjl() {
        assertEquals("linux-x86_64", DjlRuntime.platform("Linux", "amd64"));
        assertEquals("linux-aarch64", DjlRuntime.platform("Linux", "aarch64"));
        assertEquals("osx-aarch64", DjlRuntime.platform("Mac OS X", "aarch64"));
        assertEquals("win-x86_64", DjlRuntime.platform("Windows 11", "amd64"));
    }

    @Test
    void missingNativeNamesTheArtifactForThePlatform() {
        Optional<String> djl033 = Optional.of("2.5.1");
        assertEquals(Optional.of("no PyTorch native library for linux-x86_64 is on the class path. Add"
                + " ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64 (runtime scope), or"
                + " ai.djl.pytorch:pytorch-native-cu124:2.5.1:linux-x86_64 for an NVIDIA GPU; see docs/install.md"
                + " (\"Choose a native library\")"),
                DjlRuntime.missingNativeAdvice("linux-x86_64", List.of(), djl033));
        assertTrue(DjlRuntime.missingNativeAdvice("osx-aarch64", List.of(), djl033).orElseThrow()
                .contains("ai.djl.pytorch:pytorch-native-cpu:2.5.1:osx-aarch64"));
        assertTrue(DjlRuntime.missingNativeAdvice("freebsd-x86_64", List.of(), djl033).orElseThrow()
                .contains("PYTORCH_LIBRARY_PATH at a local libtorch 2.5.1"));
        assertEquals(Optional.empty(), DjlRuntime.missingNativeAdvice("win-x86_64",
                List.of(nativeOf("cpu", "linux-x86_64"), nativeOf("cpu", "win-x86_64")), djl033));
        // no JNI found: the default stack is assumed
        assertEquals(DjlRuntime.missingNativeAdvice("linux-x86_64", List.of(), djl033),
                DjlRuntime.missingNativeAdvice("linux-x86_64", List.of(), Optional.empty()));
    }

    /** No libtorch 2.5.1 jar exists for linux-aarch64: the advice names the 2.7.1 one and the DJL its JNI needs. */
    @Test
    void aarch64AdviceNamesAnArtifactThatExists() {
        assertEquals(Optional.of("no PyTorch native library for linux-aarch64 is on the class path (found only cpu build"
                + " for linux-x86_64). Add ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-aarch64 (runtime scope) and use"
                + " DJL 0.36.0 (ai.djl:api, ai.djl.pytorch:pytorch-engine, ai.djl.huggingface:tokenizers 0.36.0,"
                + " ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0): the DJL JNI on the class path is built for libtorch 2.5.1,"
                + " which has no linux-aarch64 jar on Maven Central; see docs/install.md (\"Choose a native library\")"),
                DjlRuntime.missingNativeAdvice("linux-aarch64", List.of(nativeOf("cpu", "linux-x86_64")),
                        Optional.of("2.5.1")));
        // with DJL 0.36.0's JNI (libtorch 2.7.1) only the native is missing
        assertEquals(Optional.of("no PyTorch native library for linux-aarch64 is on the class path. Add"
                + " ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-aarch64 (runtime scope); see docs/install.md"
                + " (\"Choose a native library\")"),
                DjlRuntime.missingNativeAdvice("linux-aarch64", List.of(), Optional.of("2.7.1")));
        assertEquals(Optional.of("ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-aarch64"),
                DjlRuntime.cpuNativeArtifact("linux-aarch64"));
        assertEquals(Optional.of("ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64"),
                DjlRuntime.cpuNativeArtifact("linux-x86_64"));
        assertEquals(Optional.empty(), DjlRuntime.cpuNativeArtifact("linux-ppc64le"));
    }

    /** With a newer DJL the advice follows its JNI's libtorch; the cu124 hint belongs to 2.5.1 only. */
    @Test
    void adviceFollowsTheJniVersion() {
        assertEquals(Optional.of("no PyTorch native library for linux-x86_64 is on the class path. Add"
                + " ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64 (runtime scope); see docs/install.md"
                + " (\"Choose a native library\")"),
                DjlRuntime.missingNativeAdvice("linux-x86_64", List.of(), Optional.of("2.7.1")));
        assertEquals(Optional.of("ai.djl.pytorch:pytorch-native-cpu:2.10.0:linux-aarch64"),
                DjlRuntime.cpuNativeArtifact("linux-aarch64", "2.10.0"));
    }

    /** The root pom's profiles build on the versions the advice names (surefire runs in bge-core/). */
    @Test
    void theBuildProfilesUseTheVersionsTheAdviceNames() throws IOException {
        String pom = Files.readString(Path.of("..", "pom.xml"));
        int at = pom.indexOf("<id>linux-aarch64</id>");
        assertTrue(at > 0, "the root pom has a linux-aarch64 profile");
        String aarch64 = pom.substring(at, pom.indexOf("</profile>", at));
        assertTrue(aarch64.contains("<djl.version>" + DjlRuntime.AARCH64_DJL_VERSION + "</djl.version>"), aarch64);
        assertTrue(aarch64.contains("<pytorch.version>" + DjlRuntime.AARCH64_PYTORCH_VERSION + "</pytorch.version>"),
                aarch64);
        assertTrue(aarch64.contains("<pytorch.native.artifact>pytorch-native-cpu</pytorch.native.artifact>"), aarch64);
        String defaults = pom.substring(pom.indexOf("<properties>"), pom.indexOf("</properties>"));
        assertTrue(defaults.contains("<pytorch.version>" + DjlRuntime.PYTORCH_VERSION + "</pytorch.version>"), defaults);
    }

    @Test
    void versionsCompareNumberByNumber() {
        assertTrue(DjlRuntime.atLeast("2.7.1", "2.7.1"));
        assertTrue(DjlRuntime.atLeast("2.10.0", "2.7.1"));
        assertTrue(DjlRuntime.atLeast("3", "2.7.1"));
        assertFalse(DjlRuntime.atLeast("2.5.1", "2.7.1"));
        assertFalse(DjlRuntime.atLeast("2.7", "2.7.1"));
        assertFalse(DjlRuntime.atLeast("2.4.0", "2.7.1"));
    }

    @Test
    void jniVersionIsReadFromThePytorchJniProperties(@TempDir Path dir) throws IOException {
        try (URLClassLoader none = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertEquals(Optional.empty(), DjlRuntime.jniLibtorchVersion(none));
        }
        Files.createDirectories(dir.resolve("jnilib"));
        Files.writeString(dir.resolve("jnilib/pytorch.properties"), "jni_version=2.7.1-0.36.0\n");
        try (URLClassLoader jni = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertEquals(Optional.of("2.7.1"), DjlRuntime.jniLibtorchVersion(jni));
        }
    }

    /**
     * The test class path carries DJL's JNI and the CPU native of this build: they are for the same libtorch,
     * and the advice for this platform names that version.
     */
    @Test
    void theBundledNativeOnTheTestClassPathHasTheAdvisedVersion() {
        ClassLoader cl = DjlRuntime.class.getClassLoader();
        Optional<String> jni = DjlRuntime.jniLibtorchVersion(cl);
        assertTrue(jni.isPresent(), "pytorch-jni is on the test class path");
        List<Properties> found = DjlRuntime.bundledNatives(cl);
        assertTrue(!found.isEmpty(), "a pytorch-native jar is on the test class path");
        for (Properties p : found) {
            assertTrue(p.getProperty("version").startsWith(jni.get() + "-"), p + " vs JNI " + jni.get());
        }
        String here = DjlRuntime.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertEquals(Optional.empty(), DjlRuntime.missingNativeAdvice(here, found, jni));
        DjlRuntime.missingNativeAdvice(here, List.of(), jni).ifPresent(advice -> assertTrue(
                advice.contains("ai.djl.pytorch:pytorch-native-cpu:" + jni.get() + ":" + here), advice));
    }
}
