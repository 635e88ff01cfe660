package io.bge4j.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code provenance.json} on disk: the pretty-printed JSON of a {@link Provenance}, written only over a
 * file bge4j wrote (its {@code schema} says so), and read back with the file and line named when it is
 * not one.
 */
final class ProvenanceFiles {

    private ProvenanceFiles() {}

    static String toJson(Provenance p) {
        try {
            return Json.MAPPER.writeValueAsString(p) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise provenance", e);
        }
    }

    static OutputFile write(Provenance p, Path dir) {
        return SafeFiles.write(dir.resolve(Provenance.FILE), toJson(p), ProvenanceFiles::isOurs, "provenance");
    }

    static boolean isOurs(String text) {
        try {
            return Json.MAPPER.readTree(text).path("schema").asText().startsWith("bge4j.provenance/");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    static Provenance read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!isOurs(text)) {
            throw new DataFormatException(file, 0, "schema", "expected a bge4j provenance file with \"schema\": \""
                    + Provenance.SCHEMA + "\" (written by Provenance.write)");
        }
        try {
            return Json.MAPPER.readValue(text, Provenance.class);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not a valid provenance file: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            throw new DataFormatException(file, 0, null, "incomplete provenance file: " + e.getMessage());
        }
    }
}
