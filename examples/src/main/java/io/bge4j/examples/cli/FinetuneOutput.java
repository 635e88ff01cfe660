package io.bge4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.Bge4jException;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.report.VerdictReport;
import java.io.PrintWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What {@code bge4j finetune} does with an {@code --output} folder that already holds a run: refuse, resume it, or
 * (with {@code --overwrite}) delete the files a bge4j run writes and nothing else; and the verdict it prints at the
 * end ({@link #printVerdict}).
 *
 * <p>Usage: {@code Plan p = FinetuneOutput.prepare(spec, output, resumeOption, overwrite); ...build()...;
 * p.deleteEarlierRun();}
 */
final class FinetuneOutput {

    /**
     * What to do with {@code --output}, decided (and checked) before anything is changed.
     *
     * @param resumeFrom the checkpoint to resume from, or null for a fresh run
     * @param toDelete the earlier run's files and folders that {@code --overwrite} deletes (empty otherwise)
     */
    record Plan(Path resumeFrom, List<Path> toDelete) {

        /** Deletes {@link #toDelete()}; call it once every other check has passed, just before training. */
        void deleteEarlierRun() {
            for (Path p : toDelete) {
                deleteTree(p);
            }
        }
    }

    /** Entries of the output folder that a run writes; any of them means "another run is here". */
    static final List<String> RUN_ENTRIES = List.of("metrics.jsonl", "final", "best", "checkpoints",
            "trainer_state.json", "report.html");

    /** Files (and folders) a saved model or checkpoint consists of: model layout, card, provenance, trainer state. */
    private static final Set<String> MODEL_FILES = Set.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "modules.json",
            "config_sentence_transformers.json", "sentence_bert_config.json", "1_Pooling", "2_Normalize", "README.md",
            "provenance.json", "trainer_state.json", "optimizer.safetensors", "best.safetensors");

    private static final ObjectMapper JSON = new ObjectMapper();

    private FinetuneOutput() {}

    /**
     * @param spec the command, for usage errors
     * @param output the {@code --output} folder
     * @param resume the {@code --resume} value: null (not given), empty (the latest checkpoint) or a folder
     * @param overwrite whether {@code --overwrite} was given
     * @return the checkpoint to resume from and what to delete; nothing is changed yet
     * @throws ParameterException when the folder holds another run and neither option says what to do
     */
    static Plan prepare(CommandSpec spec, Path output, String resume, boolean overwrite) {
        if (resume != null && overwrite) {
            throw new ParameterException(spec.commandLine(),
                    "--resume and --overwrite exclude each other: --resume continues the run in --output,"
                            + " --overwrite deletes it");
        }
        List<String> found = runEntries(output);
        if (resume != null) {
            return new Plan(checkpoint(output, resume), List.of());
        }
        if (found.isEmpty()) {
            return new Plan(null, List.of());
        }
        if (!overwrite) {
            throw new ParameterException(spec.commandLine(), "--output " + output + " holds another run ("
                    + String.join(", ", found) + "): pass --resume to continue it from its latest checkpoint, or"
                    + " --overwrite to delete its run files (other files in the folder are kept), or choose another"
                    + " --output");
        }
        return new Plan(null, runFiles(output));
    }

    /** @return the run entries present in {@code output}, folders with a trailing slash */
    static List<String> runEntries(Path output) {
        List<String> out = new ArrayList<>();
        for (String name : RUN_ENTRIES) {
            Path p = output.resolve(name);
            if (Files.isDirectory(p)) {
                out.add(name + "/");
            } else if (Files.exists(p)) {
                out.add(name);
            }
        }
        return out;
    }

    private static Path checkpoint(Path output, String resume) {
        if (!resume.isEmpty()) {
            Path dir = Path.of(resume);
            if (!Files.isRegularFile(dir.resolve("trainer_state.json"))) {
                throw new IllegalArgumentException("--resume " + dir + " is not a checkpoint folder (no"
                        + " trainer_state.json); checkpoints are written under <output>/checkpoints/ by --checkpoint-every");
            }
            return dir;
        }
        Path root = output.resolve("checkpoints");
        List<Path> all = stepFolders(root);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (Files.isRegularFile(all.get(i).resolve("trainer_state.json"))) {
                return all.get(i);
            }
        }
        throw new IllegalArgumentException("--resume: no checkpoint in " + root + " (the run there was not started"
                + " with --checkpoint-every, or wrote none yet); start it again with --overwrite");
    }

    private static List<Path> stepFolders(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("step-\\d+"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new Bge4jException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The run files to delete, after checking all of them: a file in a run folder that a run does not write, or a
     * {@code metrics.jsonl} / {@code report.html} / {@code trainer_state.json} that is not bge4j's, stops it before
     * anything is deleted.
     */
    static List<Path> runFiles(Path output) {
        List<Path> delete = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        Path metrics = output.resolve("metrics.jsonl");
        if (Files.exists(metrics)) {
            check(metrics, isMetricsLog(metrics), delete, foreign);
        }
        Path report = output.resolve("report.html");
        if (Files.exists(report)) {
            check(report, contains(report, "<meta name=\"generator\" content=\"bge4j training report\">"), delete,
                    foreign);
        }
        // the verdict files go with the run when bge4j wrote them; a user's file of that name stays (the run then
        // leaves it alone too), so it neither blocks --overwrite nor is deleted
        Path verdict = output.resolve(VerdictReport.MARKDOWN);
        if (contains(verdict, VerdictReport.MARKER)) {
            delete.add(verdict);
        }
        Path verdictJson = output.resolve(VerdictReport.JSON);
        if (Files.isRegularFile(verdictJson) && isVerdictJson(verdictJson)) {
            delete.add(verdictJson);
        }
        Path state = output.resolve("trainer_state.json");
        if (Files.exists(state)) {
            check(state, isTrainerState(state), delete, foreign);
        }
        for (String name : List.of("final", "best")) {
            Path dir = output.resolve(name);
            if (Files.exists(dir)) {
                checkModel(dir, delete, foreign);
            }
        }
        Path cps = output.resolve("checkpoints");
        if (Files.exists(cps)) {
            if (!Files.isDirectory(cps)) {
                foreign.add(cps.toString());
            } else {
                try (Stream<Path> s = Files.list(cps)) {
                    for (Path p : s.sorted().toList()) {
                        String n = p.getFileName().toString();
                        if (Files.isDirectory(p) && (n.matches("step-\\d+") || n.matches("\\.step-\\d+\\.tmp"))) {
                            checkModel(p, delete, foreign);
                        } else {
                            foreign.add(p.toString());
                        }
                    }
                } catch (IOException e) {
                    throw new Bge4jException("cannot list " + cps + ": " + e.getMessage(), e);
                }
                if (foreign.stream().noneMatch(f -> f.startsWith(cps.toString()))) {
                    delete.add(cps);
                }
            }
        }
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException("--overwrite deletes only what a bge4j run writes, but " + output
                    + " holds files that are not a run's: " + String.join(", ", foreign)
                    + "; move them away or choose another --output");
        }
        return List.copyOf(delete);
    }

    private static void check(Path file, boolean ours, List<Path> delete, List<String> foreign) {
        if (ours) {
            delete.add(file);
        } else {
            foreign.add(file.toString());
        }
    }

    /** A saved model or checkpoint folder: every entry must be one a save writes. */
    private static void checkModel(Path dir, List<Path> delete, List<String> foreign) {
        if (!Files.isDirectory(dir)) {
            foreign.add(dir.toString());
            return;
        }
        boolean clean = true;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                boolean ours = MODEL_FILES.contains(n)
                        && (!n.equals("README.md") || contains(p, "<!-- bge4j:model-card"))
                        && (!Files.isDirectory(p) || onlyModuleConfig(p, foreign));
                if (!ours) {
                    if (!Files.isDirectory(p) || !MODEL_FILES.contains(n)) {
                        foreign.add(p.toString());
                    }
                    clean = false;
                }
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (clean) {
            delete.add(dir);
        }
    }

    /** A sentence-transformers module folder ({@code 1_Pooling}, {@code 2_Normalize}) holds at most a config.json. */
    private static boolean onlyModuleConfig(Path dir, List<String> foreign) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> other = s.filter(q -> !(q.getFileName().toString().equals("config.json")
                    && Files.isRegularFile(q))).sorted().toList();
            other.forEach(q -> foreign.add(q.toString()));
            return other.isEmpty();
        }
    }

    /** @return whether the first non-blank line is a JSON object with a "type", as every metrics line is */
    private static boolean isMetricsLog(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode n = JSON.readTree(line);
                    return n != null && n.isObject() && n.hasNonNull("type");
                }
            }
            return true; // empty: nothing to lose
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isVerdictJson(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return n != null && n.path("schema").asText().startsWith("bge4j.verdict/");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Prints the verdict {@code fit()} reached (base vs best on the dev set, from the paired interval) and where it
     * wrote it; without per-query scores (no --dev, {@code --no-eval-base}, a resumed run) says why there is none.
     *
     * @param out the command's output
     * @param r the run's result
     * @param output the {@code --output} folder
     */
    static void printVerdict(PrintWriter out, FinetuneResult r, Path output) {
        Optional<FinetuneVerdict> v = r.verdict();
        if (v.isEmpty()) {
            if (r.bestEvaluation().isPresent()) {
                out.println("verdict: none — this run has no evaluation of the base model with per-query scores"
                        + " (--no-eval-base or --resume); compare with `bge4j evaluate --model <base> --model "
                        + output.resolve("best") + "`");
            }
            return;
        }
        out.print(v.get().render());
        Path md = output.resolve(VerdictReport.MARKDOWN);
        if (Files.isRegularFile(md) && contains(md, VerdictReport.MARKER)) {
            out.println("verdict: " + md + " and " + output.resolve(VerdictReport.JSON));
        }
    }

    private static boolean isTrainerState(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return n != null && (n.path("schema").asText().startsWith("bge4j.trainer_state/")
                    || (n.has("total_steps") && n.has("patience_reference")));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean contains(Path file, String marker) {
        try {
            return Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot delete " + p + " (--overwrite): " + e.getMessage(), e);
        }
    }
}
