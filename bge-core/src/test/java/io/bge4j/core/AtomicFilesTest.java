package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.sorted().toList();
        }
    }

    @Test
    void contentThatClosesItsStreamIsStillWrittenWhole() throws IOException {
        Path f = tmp.resolve("out.txt");
        AtomicFiles.write(f, out -> {
            try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {   // closes out, as JSON generators do
                w.write("héllo\n");
            }
        });
        assertEquals("héllo\n", Files.readString(f));
        assertEquals(List.of(f), listing(), "no temporary file left");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
        Path f = tmp.resolve("out.txt");
        AtomicFiles.writeString(f, "old");
        Bge4jException e = assertThrows(Bge4jException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().startsWith("cannot write " + f + ": disk full"), e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void temporarySiblingsAreHiddenUniqueAndEmpty() throws IOException {
        Path target = tmp.resolve("x.json");
        Path a = AtomicFiles.newTempSibling(target);
        Path b = AtomicFiles.newTempSibling(target);
        assertTrue(a.getFileName().toString().matches("\\.x\\.json\\.[0-9a-f]{12}\\.tmp"), a.toString());
        assertTrue(!a.equals(b) && Files.size(a) == 0 && a.getParent().equals(tmp));
        Files.writeString(a, "done");
        AtomicFiles.moveIntoPlace(a, target);
        assertEquals("done", Files.readString(target));
        Files.delete(b);
    }
}
