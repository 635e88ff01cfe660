package io.bge4j.train.optim;

import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A heap copy of an {@link AdamW} optimizer's state, for checkpoints: the number of steps taken and,
 * per parameter, its own step count and first and second moments (float32, row-major).
 *
 * <p>As a safetensors file the moments are tensors named {@code exp_avg/<param>} and
 * {@code exp_avg_sq/<param>}, and the steps are {@code __metadata__} entries {@code step} and
 * {@code step/<param>}.
 *
 * <p>Usage: {@code optimizer.exportState().save(dir.resolve("optimizer.safetensors"));
 * optimizer.importState(AdamWState.load(file));}
 *
 * @param step number of {@link AdamW#step} calls made
 * @param moments parameter name → its state
 */
public record AdamWState(long step, Map<String, Moments> moments) {

    private static final String M_PREFIX = "exp_avg/";
    private static final String V_PREFIX = "exp_avg_sq/";
    private static final String STEP_KEY = "step";
    private static final String STEP_PREFIX = "step/";

    /**
     * One parameter's state.
     *
     * <p>Usage: {@code state.moments().get("embeddings.LayerNorm.weight").firstMoment().data()}
     *
     * @param step how many updates this parameter received (the t of its bias correction)
     * @param firstMoment m, same shape as the parameter
     * @param secondMoment v, same shape as the parameter
     */
    public record Moments(long step, TensorData firstMoment, TensorData secondMoment) {

        /** Checks that the step is positive and both moments have the same shape. */
        public Moments {
            Objects.requireNonNull(firstMoment, "firstMoment");
            Objects.requireNonNull(secondMoment, "secondMoment");
            if (step < 1) {
                throw new IllegalArgumentException("a parameter with moments has step >= 1, got " + step);
            }
            if (!Arrays.equals(firstMoment.shape(), secondMoment.shape())) {
                throw new IllegalArgumentException("first and second moment shapes differ: "
                        + Arrays.toString(firstMoment.shape()) + " vs " + Arrays.toString(secondMoment.shape()));
            }
        }
    }

    /** Validates and freezes the map. */
    public AdamWState {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        moments = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(moments, "moments")));
    }

    /** @return the moments as tensors named {@code exp_avg/<param>} and {@code exp_avg_sq/<param>} */
    public List<TensorData> tensors() {
        List<TensorData> out = new ArrayList<>(2 * moments.size());
        moments.forEach((name, m) -> {
            out.add(new TensorData(M_PREFIX + name, m.firstMoment().shape(), m.firstMoment().data()));
            out.add(new TensorData(V_PREFIX + name, m.secondMoment().shape(), m.secondMoment().data()));
        });
        return out;
    }

    /** @return the step counters as string metadata ({@code step}, {@code step/<param>}) */
    public Map<String, String> metadata() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(STEP_KEY, Long.toString(step));
        moments.forEach((name, m) -> out.put(STEP_PREFIX + name, Long.toString(m.step())));
        return out;
    }

    /**
     * Rebuilds a state from {@link #tensors()} and {@link #metadata()}.
     *
     * @param tensors the moment tensors
     * @param metadata the step counters
     * @return the state
     * @throws IllegalArgumentException if a tensor, its pair or its step counter is missing
     */
    public static AdamWState fromTensors(Collection<TensorData> tensors, Map<String, String> metadata) {
        String stepText = metadata.get(STEP_KEY);
        if (stepText == null) {
            throw new IllegalArgumentException("optimizer state metadata lacks '" + STEP_KEY + "'");
        }
        Map<String, TensorData> first = new LinkedHashMap<>();
        Map<String, TensorData> second = new LinkedHashMap<>();
        for (TensorData t : tensors) {
            if (t.name().startsWith(M_PREFIX)) {
                first.put(t.name().substring(M_PREFIX.length()), t);
            } else if (t.name().startsWith(V_PREFIX)) {
                second.put(t.name().substring(V_PREFIX.length()), t);
            } else {
                throw new IllegalArgumentException("unexpected tensor '" + t.name() + "' in optimizer state;"
                        + " expected names starting with " + M_PREFIX + " or " + V_PREFIX);
            }
        }
        Map<String, Moments> moments = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : first.entrySet()) {
            String name = e.getKey();
            TensorData v = second.get(name);
            if (v == null) {
                throw new IllegalArgumentException("optimizer state has " + M_PREFIX + name + " but no " + V_PREFIX + name);
            }
            String s = metadata.get(STEP_PREFIX + name);
            if (s == null) {
                throw new IllegalArgumentException("optimizer state metadata lacks '" + STEP_PREFIX + name + "'");
            }
            moments.put(name, new Moments(Long.parseLong(s),
                    new TensorData(name, e.getValue().shape(), e.getValue().data()),
                    new TensorData(name, v.shape(), v.data())));
        }
        for (String name : second.keySet()) {
            if (!first.containsKey(name)) {
                throw new IllegalArgumentException("optimizer state has " + V_PREFIX + name + " but no " + M_PREFIX + name);
            }
        }
        return new AdamWState(Long.parseLong(stepText), moments);
    }

    /**
     * Writes the state as a safetensors file, atomically.
     *
     * @param file destination
     */
    public void save(Path file) {
        Map<String, String> meta = new LinkedHashMap<>(metadata());
        meta.put("format", "bge4j-adamw");
        Safetensors.write(file, tensors(), meta);
    }

    /**
     * Reads a state written by {@link #save(Path)}.
     *
     * @param file the safetensors file
     * @return the state
     */
    public static AdamWState load(Path file) {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            List<TensorData> tensors = new ArrayList<>();
            for (Safetensors.Entry e : r.entries()) {
                tensors.add(r.read(e));
            }
            Map<String, String> meta = new LinkedHashMap<>(r.metadata());
            meta.remove("format");
            return fromTensors(tensors, meta);
        }
    }
}
