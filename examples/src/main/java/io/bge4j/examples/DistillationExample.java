package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.data.FlagJsonlReader;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.JsonlReadResult;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingListener;
import io.bge4j.train.loss.DistillationType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Knowledge distillation from teacher scores: FlagEmbedding JSONL may carry {@code pos_scores} and
 * {@code neg_scores}, one score per passage, typically from a cross-encoder reranker. With
 * {@link DistillationType#KL_DIV} the student (the embedding model) is trained on the usual
 * contrastive loss plus a soft cross-entropy towards the teacher's distribution over each query's
 * group, {@code softmax(teacherScores / teacherTemperature)}, so it learns how much better one
 * passage is than another, not only which one is right.
 *
 * <p>A line of such a file:
 * <pre>{@code
 * {"query": "...", "pos": ["..."], "neg": ["...", "..."], "pos_scores": [4.1], "neg_scores": [1.3, -2.0]}
 * }</pre>
 * Without a file argument the example writes a tiny one ({@link #writeSampleFile(Path)}) to a
 * temporary directory and trains on it.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.DistillationExample
 * [train-with-scores.jsonl] [model=bge-small-en-v1.5] [steps=4]}
 */
public final class DistillationExample {

    private DistillationExample() {}

    /**
     * @param train the examples read from the file
     * @param training the fine-tune; its step records carry the contrastive and distillation parts
     */
    public record Outcome(TrainingSet train, FinetuneResult training) {

        /** @return the mean distillation part of the loss over all steps (0 without teacher scores) */
        public double meanDistillationLoss() {
            return training.steps().stream().mapToDouble(StepRecord::distillationLoss).average().orElse(0);
        }
    }

    /**
     * Reads {@code jsonl} and fine-tunes {@code model} in place with KL-divergence distillation from
     * its teacher scores, printing each step's loss and its two parts.
     *
     * @param model the model to train
     * @param jsonl FlagEmbedding JSONL with {@code pos_scores}/{@code neg_scores}
     * @param batchSize queries per step
     * @param groupSize passages per query (1 positive + groupSize-1 negatives)
     * @param steps optimizer steps
     * @param teacherTemperature divisor of the teacher scores before their softmax (1 as FlagEmbedding)
     * @param seed batching and sampling seed
     * @param out where the run reports
     * @return what was read and how training went
     */
    public static Outcome run(BgeModel model, Path jsonl, int batchSize, int groupSize, int steps,
            double teacherTemperature, long seed, PrintWriter out) {
        JsonlReadResult read = FlagJsonlReader.builder().build().read(jsonl);
        TrainingSet train = read.trainingSet();
        long withScores = train.stream().filter(TrainingExample::hasTeacherScores).count();
        out.printf("%s: %d examples, %d with teacher scores%n", jsonl, train.size(), withScores);
        if (withScores == 0) {
            out.println("no pos_scores/neg_scores in the file: this run is plain contrastive training");
        }
        out.flush();
        TrainingListener perStep = new TrainingListener() {
            @Override
            public void onStep(StepRecord s) {
                out.printf("step %d loss %.4f = contrastive %.4f + distillation %.4f%n", s.step(), s.loss(),
                        s.contrastiveLoss(), s.distillationLoss());
                out.flush();
            }
        };
        FinetuneResult training = Finetuner.builder().model(model).trainingSet(train)
                .distillation(DistillationType.KL_DIV, teacherTemperature)
                .batchSize(batchSize).groupSize(groupSize)
                .queryMaxLength(Math.min(32, model.maxLength())).passageMaxLength(Math.min(128, model.maxLength()))
                .maxSteps(steps).seed(seed).listener(perStep).build().fit();
        return new Outcome(train, training);
    }

    /**
     * Writes a small FlagEmbedding JSONL file with teacher scores (made-up reranker logits: the
     * positive highest, near-misses in between, unrelated passages lowest).
     *
     * @param dir an existing directory
     * @return the file, {@code dir/distill_sample.jsonl}
     */
    public static Path writeSampleFile(Path dir) {
        List<TrainingExample> examples = new ArrayList<>();
        examples.add(scored("download a file from a web server on the command line",
                "curl transfers data to or from a server with URLs, over HTTP, HTTPS, FTP and other protocols.", 6.2,
                "wget2 mirrors whole web sites recursively and resumes interrupted downloads.", 3.1,
                "An FTP server daemon that lets remote users upload and download files.", 0.4,
                "A library to parse and format calendar dates in many time zones.", -4.8));
        examples.add(scored("compress files to a smaller archive",
                "xz-utils compresses and decompresses files with the LZMA2 algorithm for a high ratio.", 5.7,
                "An archive manager front end that opens zip, tar and rar files in a window.", 2.6,
                "A tool to split large files into pieces and join them again.", 0.1,
                "Fonts with Cyrillic and Greek glyphs for the console.", -5.3));
        examples.add(scored("check spelling of a text document",
                "hunspell is a spell checker and morphological analyser for many languages.", 6.0,
                "A grammar and style checker that runs as a local server for office suites.", 3.4,
                "Word lists for English, used by programs that suggest completions.", 1.2,
                "A daemon that synchronises the system clock with network time servers.", -4.1));
        examples.add(scored("monitor running processes and memory use",
                "htop is an interactive process viewer that shows CPU and memory usage per process.", 6.4,
                "A tool that reports disk input and output statistics for each device.", 2.2,
                "Graphs of network traffic per interface, updated every second.", 0.8,
                "A collection of wallpapers with mountain landscapes.", -6.0));
        examples.add(scored("edit images with layers and filters",
                "GIMP is a raster graphics editor with layers, masks, filters and scripting.", 6.1,
                "A vector drawing program for illustrations and diagrams in SVG.", 3.0,
                "A viewer that shows photos as thumbnails and slide shows.", 0.9,
                "A command-line calculator with arbitrary precision numbers.", -5.0));
        examples.add(scored("secure remote login to another computer",
                "The OpenSSH client logs into remote machines over an encrypted connection.", 6.5,
                "A VPN daemon that tunnels traffic between networks over TLS.", 2.7,
                "A terminal multiplexer that keeps sessions running after you disconnect.", 1.5,
                "Recipes and nutrition data for a cooking application.", -5.6));
        examples.add(scored("play music files from a playlist",
                "A music player for the desktop with playlists, a library browser and lyrics.", 5.9,
                "A command-line tool that converts audio between formats.", 2.4,
                "Drivers and firmware for sound cards.", 0.3,
                "A tool that checks a file system for errors and repairs them.", -4.9));
        examples.add(scored("keep a database of contacts and addresses",
                "An address book application that stores contacts and syncs them with a server.", 5.8,
                "A calendar and task manager that shares events with groupware servers.", 3.2,
                "A spreadsheet that can import and sort tables of names.", 1.1,
                "A game where you steer a snake to eat apples.", -5.4));
        Path file = dir.resolve("distill_sample.jsonl");
        FlagJsonlWriter.writeAll(file, examples);
        return file;
    }

    /**
     * @param args optional: a JSONL file with teacher scores (a sample is written when absent),
     *     model (preset or directory), steps
     */
    public static void main(String[] args) throws IOException {
        Path file = args.length > 0 ? Path.of(args[0])
                : writeSampleFile(Files.createTempDirectory("bge4j-distill"));
        String modelName = args.length > 1 ? args[1] : "bge-small-en-v1.5";
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        try (BgeModel model = BgeModel.load(modelName)) {
            run(model, file, 4, 4, steps, 1.0, 42, new PrintWriter(System.out, true));
        }
    }

    private static TrainingExample scored(String query, String pos, double posScore, String neg1, double s1,
            String neg2, double s2, String neg3, double s3) {
        return TrainingExample.builder().query(query).positives(List.of(pos)).positiveScores(List.of(posScore))
                .negatives(List.of(neg1, neg2, neg3)).negativeScores(List.of(s1, s2, s3)).build();
    }
}
