package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.CorpusJsonl;
import io.bge4j.data.synthetic.GenerationCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files bge-data writes through temporaries get the mode of any new file of the process (the umask
 * decides), not the owner-only mode of {@code Files.createTempFile}.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class WrittenFileModeTest {

    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void jsonlCorpusAndLlmCacheFilesFollowTheUmask() throws IOException {
        String expected = mode(Files.createFile(tmp.resolve("reference")));
        Path jsonl = tmp.resolve("train.jsonl");
        FlagJsonlWriter.writeAll(jsonl, List.of(TrainingExample.of("q", List.of("p"), List.of())));
        Path gz = tmp.resolve("train.jsonl.gz");
        FlagJsonlWriter.writeAll(gz, List.of(TrainingExample.of("q", List.of("p"), List.of())));
        Path corpus = tmp.resolve("corpus.jsonl");
        CorpusJsonl.write(corpus, List.of(new CorpusDocument("d1", "", "apt")));
        GenerationCache.open(tmp.resolve("llm")).put("m", "prompt", "passage", "answer");
        Path entry;
        try (Stream<Path> s = Files.walk(tmp.resolve("llm"))) {
            entry = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        for (Path p : List.of(jsonl, gz, corpus, entry)) {
            assertEquals(expected, mode(p), p.toString());
        }
    }
}
