package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model artifacts are found through their registration resource, whichever are on the class path. */
class EmbeddedModelsTest {

    @TempDir
    Path tmp;

    private URLClassLoader isolated(Path root) throws IOException {
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    @Test
    void theTwoModelArtifactsOnTheTestClassPathRegisterThemselves() {
        Map<String, EmbeddedModels.Registration> found = EmbeddedModels.find(getClass().getClassLoader());
        EmbeddedModels.Registration en = found.get("bge-small-en-v1.5");
        assertEquals("bge-small-en-v1.5.onnx", en.weightsResource());
        assertEquals("bge-small-en-v1.5-tokenizer.json", en.tokenizerResource());
        assertEquals("io.bge4j:bge4j-model-bge-small-en-v15", en.artifact());
        assertEquals(BgePreset.BGE_SMALL_EN_V15.modelArtifact().orElseThrow(), en.artifact());
        assertEquals(BgePreset.BGE_SMALL_ZH_V15.modelArtifact().orElseThrow(), found.get("bge-small-zh-v1.5").artifact());
    }

    @Test
    void registrationsAreReadFromEveryJarAndCheckedForATokenizer() throws IOException {
        Path root = tmp.resolve("cp");
        Files.createDirectories(root.resolve("META-INF/bge4j"));
        Files.writeString(root.resolve(EmbeddedModels.REGISTRATION),
                "bge-base-en-v1.5.weights=w.onnx\nbge-base-en-v1.5.tokenizer=t.json\n");
        try (URLClassLoader cl = isolated(root)) {
            EmbeddedModels.Registration r = EmbeddedModels.find(cl, "bge-base-en-v1.5").orElseThrow();
            assertEquals("w.onnx", r.weightsResource());
            assertEquals("?", r.artifact());
            assertEquals(Optional.empty(), EmbeddedModels.find(cl, "bge-small-en-v1.5"));
        }
        Files.writeString(root.resolve(EmbeddedModels.REGISTRATION), "m.weights=w.onnx\n");
        try (URLClassLoader cl = isolated(root)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> EmbeddedModels.find(cl));
            assertTrue(e.getMessage().endsWith("m.weights has no m.tokenizer entry"), e.getMessage());
        }
        try (URLClassLoader empty = isolated(tmp.resolve("nothing"))) {
            assertEquals(Map.of(), EmbeddedModels.find(empty));
        }
    }

    @Test
    void aMissingPublishedPresetNamesItsArtifactAndTheDoc() {
        String msg = BgeModel.missingPresetMessage(BgePreset.BGE_SMALL_ZH_V15);
        assertTrue(msg.startsWith("bge-small-zh-v1.5 is not on the class path and not in the Hugging Face cache"), msg);
        assertTrue(msg.contains("Add the artifact io.bge4j:bge4j-model-bge-small-zh-v15 (Maven: <dependency><groupId>io.bge4j"
                + "</groupId><artifactId>bge4j-model-bge-small-zh-v15</artifactId></dependency>"), msg);
        assertTrue(msg.contains("implementation(\"io.bge4j:bge4j-model-bge-small-zh-v15\")"), msg);
        assertTrue(msg.endsWith("See docs/models.md"), msg);
        assertEquals(Optional.empty(), BgePreset.BGE_M3.modelArtifact());
    }
}
