package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

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
        assertEquals(Optional.of("no PyTorch native library for linux-aarch64 is on the class path (found only cpu build"
                + " for linux-x86_64). Add ai.djl.pytorch:pytorch-native-cpu-precxx11:2.5.1:linux-aarch64 (runtime"
                + " scope); see docs/install.md (\"Choose a native library\")"),
                DjlRuntime.missingNativeAdvice("linux-aarch64", List.of(nativeOf("cpu", "linux-x86_64"))));
        String none = DjlRuntime.missingNativeAdvice("linux-x86_64", List.of()).orElseThrow();
        assertTrue(none.startsWith("no PyTorch native library for linux-x86_64 is on the class path. Add"
                + " ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64 (runtime scope), or"
                + " ai.djl.pytorch:pytorch-native-cu124:2.5.1:linux-x86_64 for an NVIDIA GPU"), none);
        assertTrue(DjlRuntime.missingNativeAdvice("osx-aarch64", List.of()).orElseThrow()
                .contains("ai.djl.pytorch:pytorch-native-cpu:2.5.1:osx-aarch64"));
        assertTrue(DjlRuntime.missingNativeAdvice("freebsd-x86_64", List.of()).orElseThrow()
                .contains("PYTORCH_LIBRARY_PATH"));
        assertEquals(Optional.empty(), DjlRuntime.missingNativeAdvice("win-x86_64",
                List.of(nativeOf("cpu", "linux-x86_64"), nativeOf("cpu", "win-x86_64"))));
    }

    /** The test class path carries the CPU native of this build; its version is the one the advice names. */
    @Test
    void theBundledNativeOnTheTestClassPathHasTheAdvisedVersion() {
        List<Properties> found = DjlRuntime.bundledNatives(DjlRuntime.class.getClassLoader());
        assertTrue(!found.isEmpty(), "a pytorch-native jar is on the test class path");
        for (Properties p : found) {
            assertTrue(p.getProperty("version").startsWith(DjlRuntime.PYTORCH_VERSION + "-"), p.toString());
        }
        String here = DjlRuntime.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertEquals(Optional.empty(), DjlRuntime.missingNativeAdvice(here, found));
    }
}
