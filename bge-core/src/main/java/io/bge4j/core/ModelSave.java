package io.bge4j.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a model into a folder the way {@code save_pretrained} does: the model's own files are
 * written or replaced, every other file in the folder is left alone.
 *
 * <p>Order, so that a crash at any point never leaves a folder that loads as a mix of two models:
 * <ol>
 *   <li>every file is written into a hidden staging folder {@code .bge4j-save-<random>} inside the
 *       target and flushed to disk (a crash here leaves the previous model untouched; a later save
 *       removes such a leftover once it is an hour old, so a concurrent save's folder is not taken);</li>
 *   <li>the target's {@code config.json} is removed, so the folder does not load while files are
 *       being replaced;</li>
 *   <li>each staged file is moved over its counterpart, {@code config.json} last: it is the marker
 *       that the folder holds one complete model.</li>
 * </ol>
 * The save is refused, before anything is touched, when the folder holds another model's weights
 * in a format bge4j does not write (a loader could pick those instead) or when a path bge4j needs is
 * taken by a folder where a file belongs (or the reverse).
 */
final class ModelSave {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSave.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Prefix of the staging folder; folders with it are bge4j's own leftovers from a crashed save. */
    static final String STAGING_PREFIX = ".bge4j-save-";

    /** The file written last: a folder without it does not load. */
    static final String MARKER = "config.json";

    /** Weights of other formats: next to freshly saved weights they make the folder ambiguous. */
    static final List<String> FOREIGN_WEIGHTS = List.of("pytorch_model.bin", "pytorch_model.bin.index.json",
            "model.safetensors.index.json", "tf_model.h5", "flax_model.msgpack", "model.onnx", "onnx/model.onnx");

    /** Observes the steps of a save (a test seam for simulating a crash). */
    interface Steps {
        Steps NONE = step -> { };

        /**
         * Called with {@code "staged"} once everything is written to the staging folder, then with
         * each relative path just before it is moved into place.
         */
        void before(String step) throws IOException;
    }

    private ModelSave() {}

    static void save(BgeModel model, Path dir, Steps steps) {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new Bge4jException("cannot save model to " + target + ": it is a file, not a folder;"
                    + " choose a folder path (it is created when missing)");
        }
        List<String> foreign = new ArrayList<>();
        for (String f : FOREIGN_WEIGHTS) {
            if (Files.exists(target.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
                foreign.add(f);
            }
        }
        if (!foreign.isEmpty()) {
            throw new Bge4jException("cannot save model to " + target + ": it already holds weights that bge4j does"
                    + " not write (" + String.join(", ", foreign) + "), and after the save a loader could pick those"
                    + " instead of the new model.safetensors. Save to a new or empty folder, or delete those files"
                    + " first if they belong to the model you are replacing");
        }
        Path staging = null;
        try {
            Files.createDirectories(target);
            removeStaleStaging(target);
            staging = newStaging(target);
            model.writeFiles(staging);
            List<Path> files = new ArrayList<>();
            List<Path> dirs = new ArrayList<>();
            try (Stream<Path> s = Files.walk(staging)) {
                for (Path p : s.toList()) {
                    if (p.equals(staging)) {
                        continue;
                    }
                    (Files.isDirectory(p) ? dirs : files).add(staging.relativize(p));
                }
            }
            files.sort((a, b) -> Boolean.compare(a.toString().equals(MARKER), b.toString().equals(MARKER)));
            checkNoTypeClash(target, files, dirs);
            for (Path f : files) {
                try (FileChannel ch = FileChannel.open(staging.resolve(f), StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            steps.before("staged");
            Files.deleteIfExists(target.resolve(MARKER));
            for (Path d : dirs) {
                Files.createDirectories(target.resolve(d));
            }
            for (Path f : files) {
                steps.before(f.toString().replace('\\', '/'));
                Path dest = target.resolve(f);
                Files.createDirectories(dest.getParent());
                AtomicFiles.moveIntoPlace(staging.resolve(f), dest);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot save model to " + target + ": " + e.getMessage()
                    + "; check that the folder is writable and has space, then save again (until then the"
                    + " folder may hold no loadable model)", e);
        } finally {
            if (staging != null) {
                try {
                    AtomicFiles.deleteTree(staging);
                } catch (IOException e) {
                    LOG.warn("could not remove the staging folder {}: {}", staging, e.getMessage());
                }
            }
        }
    }

    private static Path newStaging(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            byte[] r = new byte[6];
            RANDOM.nextBytes(r);
            Path p = target.resolve(STAGING_PREFIX + HexFormat.of().formatHex(r));
            try {
                // no attributes: the umask decides the mode, as for every folder bge4j creates
                return Files.createDirectory(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /** A staging folder untouched this long belongs to a save that died, not to one in progress. */
    static final Duration STALE_AFTER = Duration.ofHours(1);

    /** Removes staging folders that a crashed earlier save left behind (only bge4j creates that name). */
    private static void removeStaleStaging(Path target) throws IOException {
        FileTime cutoff = FileTime.from(Instant.now().minus(STALE_AFTER));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, STAGING_PREFIX + "*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0) {
                    LOG.info("removing {} left by an interrupted save", p);
                    AtomicFiles.deleteTree(p);
                }
            }
        }
    }

    private static void checkNoTypeClash(Path target, List<Path> files, List<Path> dirs) {
        for (Path f : files) {
            Path t = target.resolve(f);
            if (Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                throw new Bge4jException("cannot save model to " + target + ": " + f + " is a folder there, but the"
                        + " model needs a file of that name; move that folder away or save to a new folder");
            }
            for (Path up = f.getParent(); up != null; up = up.getParent()) {
                checkIsFolder(target, up);
            }
        }
        for (Path d : dirs) {
            checkIsFolder(target, d);
        }
    }

    private static void checkIsFolder(Path target, Path rel) {
        Path t = target.resolve(rel);
        if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(t)) {
            throw new Bge4jException("cannot save model to " + target + ": " + rel + " is a file there, but the model"
                    + " needs a folder of that name; move that file away or save to a new folder");
        }
    }
}
