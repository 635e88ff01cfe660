package io.bge4j.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Finds models in the Hugging Face hub cache ({@code models--BAAI--bge-base-en-v1.5/snapshots/<rev>/}),
 * honouring {@code HF_HUB_CACHE} and {@code HF_HOME} as {@code huggingface_hub} does. Never downloads.
 *
 * <p>Usage: {@code Optional<Path> dir = HfCache.find("BAAI/bge-base-en-v1.5");}
 */
public final class HfCache {

    private HfCache() {}

    /** @return the hub cache folder for this process's environment */
    public static Path hubDir() {
        return hubDir(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * @param env environment variables
     * @param home the user's home
     * @return {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}
     */
    public static Path hubDir(Map<String, String> env, Path home) {
        String hub = env.get("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) {
            return Path.of(hub);
        }
        String hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) {
            return Path.of(hfHome).resolve("hub");
        }
        return home.resolve(".cache").resolve("huggingface").resolve("hub");
    }

    /**
     * @param repoId e.g. {@code BAAI/bge-base-en-v1.5}
     * @return the cache folder name, e.g. {@code models--BAAI--bge-base-en-v1.5}
     */
    public static String repoFolder(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    /**
     * @param repoId e.g. {@code BAAI/bge-base-en-v1.5}
     * @return the snapshot directory holding its files, if cached
     */
    public static Optional<Path> find(String repoId) {
        return find(repoId, hubDir());
    }

    /**
     * @param repoId a repository id
     * @param hub the hub cache folder
     * @return the snapshot directory, if cached with a config.json
     */
    public static Optional<Path> find(String repoId, Path hub) {
        Path repo = hub.resolve(repoFolder(repoId));
        if (!Files.isDirectory(repo)) {
            return Optional.empty();
        }
        Path snap = resolveSnapshot(repo);
        return Files.isRegularFile(snap.resolve("config.json")) ? Optional.of(snap) : Optional.empty();
    }

    /**
     * Resolves a cache repository folder to the snapshot named by {@code refs/main}, or else to the
     * most recently modified snapshot; any other directory is returned unchanged.
     *
     * @param dir a model directory or a cache repository folder
     * @return the directory holding config.json
     */
    public static Path resolveSnapshot(Path dir) {
        Path snapshots = dir.resolve("snapshots");
        if (Files.isRegularFile(dir.resolve("config.json")) || !Files.isDirectory(snapshots)) {
            return dir;
        }
        try {
            Path ref = dir.resolve("refs").resolve("main");
            if (Files.isRegularFile(ref)) {
                Path s = snapshots.resolve(Files.readString(ref).trim());
                if (Files.isDirectory(s)) {
                    return s;
                }
            }
            try (var st = Files.list(snapshots)) {
                return st.filter(Files::isDirectory)
                        .max(Comparator.comparing(HfCache::mtime))
                        .orElse(dir);
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot read Hugging Face cache folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
