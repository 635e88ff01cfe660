package io.bge4j.data;

import io.bge4j.data.synthetic.MixReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An immutable, named, ordered list of {@link TrainingExample}s. Every operation returns a new set;
 * every random operation takes a seed and gives the same answer for the same seed and data.
 *
 * <p>A set made by {@link io.bge4j.data.synthetic.Mixer} carries its {@link MixReport} ({@link #mix()}), which the
 * trainer records with the run. Operations that keep exactly the same examples ({@link #named}, {@link #shuffle},
 * {@link #withSourceName}, a {@link #sample} of at least the whole set) keep it; operations that change which
 * examples are in the set ({@link #filter}, a smaller {@link #sample}, {@link #split}, {@link #concat},
 * {@link #bySource}) drop it, since its counts would no longer describe the set.
 *
 * <p>Usage:
 * <pre>{@code
 * TrainingSet all = TrainingSet.readJsonl(Path.of("train.jsonl"));
 * TrainingSet.Split split = all.split(0.05, 42);
 * TrainingSet small = split.train().sample(10_000, 42).filter(ex -> !ex.negatives().isEmpty());
 * }</pre>
 */
public final class TrainingSet implements Iterable<TrainingExample> {
    private final String name;
    private final List<TrainingExample> examples;
    private final MixReport mix;

    private TrainingSet(String name, List<TrainingExample> examples) {
        this(name, examples, null);
    }

    private TrainingSet(String name, List<TrainingExample> examples, MixReport mix) {
        this.name = Objects.requireNonNull(name, "name");
        this.examples = examples;
        this.mix = mix;
    }

    /**
     * @param name the set's name (e.g. the data set or file name)
     * @param examples the examples, copied
     * @return the set
     */
    public static TrainingSet of(String name, Collection<TrainingExample> examples) {
        List<TrainingExample> copy = new ArrayList<>(examples.size());
        for (TrainingExample e : examples) {
            copy.add(Objects.requireNonNull(e, "examples must not contain null"));
        }
        return new TrainingSet(name, Collections.unmodifiableList(copy));
    }

    /**
     * Reads a FlagEmbedding JSONL file strictly (the first bad line throws).
     *
     * @param file a {@code .jsonl} (or {@code .jsonl.gz}) file
     * @return the examples, named after the file
     * @throws io.bge4j.core.DataFormatException on the first bad line
     */
    public static TrainingSet readJsonl(Path file) {
        return FlagJsonlReader.builder().build().read(file).trainingSet();
    }

    /**
     * Reads every {@code *.jsonl} / {@code *.jsonl.gz} file of a directory strictly, one named set
     * per file (see {@link FlagJsonlReader#readDirectory(Path)}).
     *
     * @param directory the directory
     * @return the sets, in file-name order, each named after its file
     */
    public static List<TrainingSet> readJsonlDirectory(Path directory) {
        return FlagJsonlReader.builder().build().readDirectory(directory).stream()
                .map(JsonlReadResult::trainingSet).toList();
    }

    /**
     * Concatenates sets in order; each example keeps its own {@link TrainingExample#source()}.
     *
     * @param name the new set's name
     * @param sets the sets
     * @return the concatenation
     */
    public static TrainingSet concat(String name, List<TrainingSet> sets) {
        List<TrainingExample> all = new ArrayList<>();
        for (TrainingSet s : sets) {
            all.addAll(s.examples);
        }
        return new TrainingSet(name, Collections.unmodifiableList(all));
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the examples, unmodifiable, in order */
    public List<TrainingExample> examples() {
        return examples;
    }

    /**
     * @return how real and synthetic data were mixed into this set, when {@link io.bge4j.data.synthetic.Mixer} made
     *     it (or {@link #withMix} attached it); empty otherwise
     */
    public Optional<MixReport> mix() {
        return Optional.ofNullable(mix);
    }

    /**
     * @param report how this set's examples were mixed
     * @return the same examples carrying the report
     * @throws IllegalArgumentException when the report's total is not this set's size
     */
    public TrainingSet withMix(MixReport report) {
        Objects.requireNonNull(report, "report");
        if (report.total() != examples.size()) {
            throw new IllegalArgumentException("mix report of " + report.total() + " examples (" + report.real()
                    + " real + " + report.synthetic() + " synthetic) does not describe set '" + name + "' of "
                    + examples.size());
        }
        return new TrainingSet(name, examples, report);
    }

    /** @return the number of examples */
    public int size() {
        return examples.size();
    }

    /** @return whether there are no examples */
    public boolean isEmpty() {
        return examples.isEmpty();
    }

    /**
     * @param index 0-based
     * @return that example
     */
    public TrainingExample get(int index) {
        return examples.get(index);
    }

    @Override
    public Iterator<TrainingExample> iterator() {
        return examples.iterator();
    }

    /** @return the examples as a stream */
    public Stream<TrainingExample> stream() {
        return examples.stream();
    }

    /**
     * @param newName the new name
     * @return the same examples under another name
     */
    public TrainingSet named(String newName) {
        return new TrainingSet(newName, examples, mix);
    }

    /**
     * Stamps this set's name as the {@link TrainingExample#source()} of every example that has none,
     * so that the batch composer can keep batches within one data set after a concat.
     *
     * @return a new set
     */
    public TrainingSet withSourceName() {
        List<TrainingExample> out = new ArrayList<>(examples.size());
        for (TrainingExample e : examples) {
            out.add(e.source() == null ? e.withSource(name) : e);
        }
        return new TrainingSet(name, Collections.unmodifiableList(out), mix);
    }

    /**
     * @param keep which examples to keep
     * @return the kept examples, in order, under the same name
     */
    public TrainingSet filter(Predicate<? super TrainingExample> keep) {
        List<TrainingExample> out = new ArrayList<>();
        for (TrainingExample e : examples) {
            if (keep.test(e)) {
                out.add(e);
            }
        }
        return new TrainingSet(name, Collections.unmodifiableList(out));
    }

    /**
     * Draws {@code n} examples without replacement; they keep their original relative order.
     *
     * @param n how many (all of them when {@code n >= size()})
     * @param seed the seed
     * @return the sample
     */
    public TrainingSet sample(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("sample size n must be >= 0, was " + n);
        }
        if (n >= examples.size()) {
            return this;
        }
        int[] order = shuffledIndices(examples.size(), seed);
        int[] chosen = java.util.Arrays.copyOf(order, n);
        java.util.Arrays.sort(chosen);
        List<TrainingExample> out = new ArrayList<>(n);
        for (int i : chosen) {
            out.add(examples.get(i));
        }
        return new TrainingSet(name, Collections.unmodifiableList(out));
    }

    /**
     * @param seed the seed
     * @return the same examples in a seeded random order
     */
    public TrainingSet shuffle(long seed) {
        int[] order = shuffledIndices(examples.size(), seed);
        List<TrainingExample> out = new ArrayList<>(order.length);
        for (int i : order) {
            out.add(examples.get(i));
        }
        return new TrainingSet(name, Collections.unmodifiableList(out), mix);
    }

    /**
     * Splits into train and dev. Examples with the same (normalised) query always land on the same
     * side, so the dev set never asks a question the model was trained on. Both sides keep the
     * original order. The dev side gets at least {@code round(devFraction * size())} examples
     * (slightly more when a query group straddles the boundary).
     *
     * @param devFraction the dev share, in [0, 1)
     * @param seed the seed
     * @return train ({@code name + "-train"}) and dev ({@code name + "-dev"})
     */
    public Split split(double devFraction, long seed) {
        if (!(devFraction >= 0 && devFraction < 1)) {
            throw new IllegalArgumentException("devFraction must be in [0, 1), was " + devFraction);
        }
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            groups.computeIfAbsent(TextNormalizer.normalize(examples.get(i).query()), k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groupList = new ArrayList<>(groups.values());
        int[] order = shuffledIndices(groupList.size(), seed);
        long target = Math.round(devFraction * examples.size());
        boolean[] dev = new boolean[examples.size()];
        long devCount = 0;
        for (int g : order) {
            if (devCount >= target) {
                break;
            }
            for (int i : groupList.get(g)) {
                dev[i] = true;
                devCount++;
            }
        }
        List<TrainingExample> train = new ArrayList<>();
        List<TrainingExample> devList = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (dev[i] ? devList : train).add(examples.get(i));
        }
        return new Split(new TrainingSet(name + "-train", Collections.unmodifiableList(train)),
                new TrainingSet(name + "-dev", Collections.unmodifiableList(devList)));
    }

    /**
     * Groups the examples by {@link TrainingExample#source()} (examples without one go under this
     * set's name).
     *
     * @return data set name → examples, in order of first appearance
     */
    public Map<String, TrainingSet> bySource() {
        Map<String, List<TrainingExample>> groups = new LinkedHashMap<>();
        for (TrainingExample e : examples) {
            groups.computeIfAbsent(e.source() == null ? name : e.source(), k -> new ArrayList<>()).add(e);
        }
        Map<String, TrainingSet> out = new LinkedHashMap<>();
        groups.forEach((k, v) -> out.put(k, new TrainingSet(k, Collections.unmodifiableList(v))));
        return Collections.unmodifiableMap(out);
    }

    private static int[] shuffledIndices(int n, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    @Override
    public String toString() {
        return "TrainingSet[" + name + ", " + examples.size() + " examples]";
    }

    /**
     * The two sides of {@link TrainingSet#split(double, long)}.
     *
     * <p>Usage: {@code TrainingSet dev = set.split(0.1, 7).dev();}
     *
     * @param train the training side
     * @param dev the held-out side
     */
    public record Split(TrainingSet train, TrainingSet dev) {
    }
}
