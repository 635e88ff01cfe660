package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.search.EmbeddingCache;
import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@link BgeModel#save(Path)} writes only the model's own files, survives crashes and follows the umask. */
class ModelSaveTest {

    private static final List<String> TEXTS = List.of("apt installs packages", "a web server", "kernel modules");

    @TempDir
    Path tmp;

    /** Every regular file under {@code dir} (relative path → bytes), staging folders included. */
    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static void writeUnrelated(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("other-model"));
        Files.write(dir.resolve("other-model/weights.bin"), new byte[] {1, 2, 3});
        Files.createDirectories(dir.resolve("datasets"));
        Files.writeString(dir.resolve("datasets/train.jsonl"), "{\"query\":\"q\",\"pos\":[\"p\"]}\n");
        Files.writeString(dir.resolve("README.md"), "my notes\n");
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n");
    }

    @Test
    void unrelatedFilesSurviveASaveAndASecondSaveOverTheFirst() throws IOException {
        Path dir = tmp.resolve("shared");
        writeUnrelated(dir);
        Map<String, byte[]> before = snapshot(dir);
        float[] firstWeight;
        try (BgeModel a = TinyModels.bert(TEXTS, 1); BgeModel b = TinyModels.bert(TEXTS, 2)) {
            a.save(dir);
            b.save(dir);
            firstWeight = b.toTensors().values().iterator().next().data();
        }
        Map<String, byte[]> after = snapshot(dir);
        for (var e : before.entrySet()) {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " was changed or removed");
        }
        try (BgeModel back = BgeModel.load(dir)) {
            assertArrayEquals(firstWeight, back.toTensors().values().iterator().next().data(), 0f);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging or temp files left");
        }
    }

    @Test
    void refusesOnlyAmbiguousFoldersAndTouchesNothingThen() throws IOException {
        Path withBin = tmp.resolve("hf-clone");
        Files.createDirectories(withBin);
        Files.write(withBin.resolve("pytorch_model.bin"), new byte[] {9});
        Files.writeString(withBin.resolve("config.json"), "{\"old\":true}");
        Map<String, byte[]> before = snapshot(withBin);
        try (BgeModel m = TinyModels.bert(TEXTS, 1)) {
            Bge4jException e = assertThrows(Bge4jException.class, () -> m.save(withBin));
            assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("new or empty folder"),
                    e.getMessage());
            assertEquals(before.keySet(), snapshot(withBin).keySet());
            assertArrayEquals(before.get("config.json"), Files.readAllBytes(withBin.resolve("config.json")));

            Path file = tmp.resolve("a-file");
            Files.writeString(file, "x");
            e = assertThrows(Bge4jException.class, () -> m.save(file));
            assertTrue(e.getMessage().contains("is a file, not a folder"), e.getMessage());
            assertEquals("x", Files.readString(file));

            Path clash = tmp.resolve("clash");
            Files.createDirectories(clash);
            Files.writeString(clash.resolve("1_Pooling"), "not a folder");
            e = assertThrows(Bge4jException.class, () -> m.save(clash));
            assertTrue(e.getMessage().contains("1_Pooling is a file there"), e.getMessage());
            try (Stream<Path> s = Files.list(clash)) {
                assertEquals(List.of(clash.resolve("1_Pooling")), s.toList(), "nothing written, staging removed");
            }
        }
    }

    /** A save that dies at any step leaves either the old model, the complete new one, or nothing that loads. */
    @Test
    void aCrashAtAnyStepNeverLeavesAHalfWrittenModelThatLoads() throws IOException {
        List<String> steps = new ArrayList<>();
        try (BgeModel a = TinyModels.bert(TEXTS, 1); BgeModel b = TinyModels.bert(TEXTS, 2)) {
            Map<String, TensorData> wa = a.toTensors();
            Map<String, TensorData> wb = b.toTensors();
            ModelSave.save(b, tmp.resolve("probe"), steps::add);
            assertEquals("staged", steps.get(0));
            assertEquals("config.json", steps.get(steps.size() - 1), "config.json moves last");
            assertTrue(steps.contains("model.safetensors") && steps.contains("1_Pooling/config.json"), steps.toString());
            int loadedOld = 0;
            int refused = 0;
            for (int crashAt = 0; crashAt < steps.size(); crashAt++) {
                Path dir = tmp.resolve("crash-" + crashAt);
                a.save(dir);
                writeUnrelated(dir);
                String fatal = steps.get(crashAt);
                RuntimeException crash = new IllegalStateException("simulated crash before " + fatal);
                RuntimeException thrown = assertThrows(RuntimeException.class,
                        () -> ModelSave.save(b, dir, s -> {
                            if (s.equals(fatal)) {
                                throw crash;
                            }
                        }));
                assertEquals(crash, thrown);
                assertTrue(Files.isRegularFile(dir.resolve("datasets/train.jsonl")));
                try (BgeModel back = BgeModel.load(dir)) {
                    Map<String, TensorData> w = back.toTensors();
                    assertEquals("staged", fatal, "only a crash before the commit may leave a loadable model");
                    for (String n : wa.keySet()) {
                        assertArrayEquals(wa.get(n).data(), w.get(n).data(), 0f, n + " is the old model's");
                    }
                    loadedOld++;
                } catch (ModelFormatException e) {
                    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
                    refused++;
                }
                // saving again after the crash repairs the folder
                b.save(dir);
                try (BgeModel back = BgeModel.load(dir)) {
                    Map<String, TensorData> w = back.toTensors();
                    for (String n : wb.keySet()) {
                        assertArrayEquals(wb.get(n).data(), w.get(n).data(), 0f, n);
                    }
                }
            }
            assertEquals(1, loadedOld);
            assertEquals(steps.size() - 1, refused);
        }
    }

    @Test
    void aStagingFolderLeftByAKilledSaveIsRemovedByTheNextSaveOnceItIsStale() throws IOException {
        Path dir = tmp.resolve("m");
        Path stale = dir.resolve(ModelSave.STAGING_PREFIX + "0123456789ab");
        Path recent = dir.resolve(ModelSave.STAGING_PREFIX + "ba9876543210");
        for (Path p : List.of(stale, recent)) {
            Files.createDirectories(p);
            Files.write(p.resolve("model.safetensors"), new byte[] {1});
        }
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(ModelSave.STALE_AFTER).minusSeconds(60)));
        try (BgeModel m = TinyModels.bert(TEXTS, 1)) {
            m.save(dir);
        }
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(recent.resolve("model.safetensors")), "a fresh one may be a save in progress");
    }

    /** Same mode as a file the process creates itself: the umask decides, whatever it is. */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void writtenFilesGetTheModeOfAnyNewFile() throws IOException {
        Path dir = tmp.resolve("perm");
        Files.createDirectories(dir);
        String fileMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(Files.createFile(dir.resolve("ref"))));
        String dirMode = PosixFilePermissions.toString(
                Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("refdir"))));
        try (BgeModel m = TinyModels.bert(TEXTS, 1)) {
            m.save(dir.resolve("model"));
        }
        AtomicFiles.writeString(dir.resolve("a.txt"), "a");
        Path cached = EmbeddingCache.in(dir.resolve("cache")).store("k", EmbeddingMatrix.of(new float[][] {{1f}}));
        for (Path f : List.of(dir.resolve("model/model.safetensors"), dir.resolve("model/config.json"),
                dir.resolve("model/1_Pooling/config.json"), dir.resolve("a.txt"), cached)) {
            assertEquals(fileMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
        for (Path d : List.of(dir.resolve("model"), dir.resolve("model/1_Pooling"), dir.resolve("model/2_Normalize"))) {
            assertEquals(dirMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
        }
    }

    /**
     * {@code save(Path.of("."))} from a project folder, in a child JVM under {@code umask 027}: the
     * project's sources survive and {@code ls -l} shows {@code -rw-r-----} / {@code drwxr-x---}.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void saveIntoTheWorkingDirectoryUnderAUmask() throws Exception {
        Path project = tmp.resolve("project");
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("src/main/java/App.java"), "class App {}\n");
        Files.writeString(project.resolve("pom.xml"), "<project/>\n");
        writeUnrelated(project);
        Map<String, byte[]> before = snapshot(project);
        String log = SaveInChildProcess.run(project, "027", ".");
        // CPU-only natives: DJL's CUDA probe stays quiet even where a CUDA runtime without a driver is installed
        assertFalse(log.contains("Failed to detect GPU count"), log);
        Map<String, byte[]> after = snapshot(project);
        for (var e : before.entrySet()) {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " was changed or removed");
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "modules.json",
                "1_Pooling/config.json", "reports/report.md", "cache/k.emb")) {
            Path p = project.resolve(f);
            assertTrue(Files.isRegularFile(p), f);
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), f);
        }
        for (String d : List.of("1_Pooling", "2_Normalize", "reports", "cache")) {
            assertEquals("rwxr-x---", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(project.resolve(d))), d);
        }
        try (BgeModel back = BgeModel.load(project)) {
            assertEquals(32, back.dimension());
        }
    }
}
