package io.bge4j.spark;

import io.bge4j.core.BgeModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-wide model cache of an executor: every task of the JVM that encodes with the same model
 * path shares one loaded {@link BgeModel}. This is deliberately the module's only static mutable
 * state, and it is a cache: losing it costs a reload, never a wrong result.
 *
 * <ul>
 *   <li>Keyed by the model path (or preset name) exactly as given to the encoder; the batch size,
 *       max length, instruction and mode are per-call settings and share the loaded weights.</li>
 *   <li>Thread-safe: lookups and loads hold one lock (tasks asking for a model that is being loaded
 *       wait for it instead of loading a second copy). Forward passes on one model are serialised
 *       by the model's own lock: libtorch's intra-op threads already use the executor's cores, and
 *       two concurrent forwards on the same cores only oversubscribe them.</li>
 *   <li>Bounded: at most {@link #MAX_MODELS} models stay loaded; loading another closes the least
 *       recently used one that no task is using (a trainer that re-mines with a new checkpoint every
 *       N steps therefore does not accumulate weights in the executors).</li>
 *   <li>Closed at JVM exit by a shutdown hook.</li>
 * </ul>
 */
final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

    /** Models kept loaded per JVM. */
    static final int MAX_MODELS = 2;

    /** Access-ordered: the first entry is the least recently used. */
    private static final Map<String, Entry> MODELS = new LinkedHashMap<>(4, 0.75f, true);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "bge4j-executor-models-close"));
    }

    private ExecutorModels() {
    }

    /** One loaded model and how many tasks hold it. */
    static final class Entry {
        final String path;
        final BgeModel model;
        int leases;

        Entry(String path, BgeModel model) {
            this.path = path;
            this.model = model;
        }
    }

    /** A task's hold on a cached model; close it when the task's batch is done. */
    static final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        BgeModel model() {
            return entry.model;
        }

        /** The lock that serialises forward passes on this model. */
        Object forwardLock() {
            return entry;
        }

        @Override
        public void close() {
            synchronized (ExecutorModels.class) {
                if (!closed) {
                    closed = true;
                    entry.leases--;
                }
            }
        }
    }

    /**
     * @param path a model directory every executor can read, or a preset name
     * @return a lease on the loaded model (loaded on first use in this JVM)
     */
    static Lease acquire(String path) {
        synchronized (ExecutorModels.class) {
            Entry e = MODELS.get(path);
            if (e == null) {
                evictIdle(MAX_MODELS - 1);
                long t0 = System.nanoTime();
                e = new Entry(path, BgeModel.load(path));
                LOG.info("loaded model {} in this executor JVM in {} ms", path, (System.nanoTime() - t0) / 1_000_000);
                MODELS.put(path, e);
            }
            e.leases++;
            return new Lease(e);
        }
    }

    /** @return the paths of the models loaded in this JVM, least recently used first */
    static List<String> loadedPaths() {
        synchronized (ExecutorModels.class) {
            return new ArrayList<>(MODELS.keySet());
        }
    }

    /** Closes idle models, least recently used first, until at most {@code keep} remain (or none is idle). */
    private static void evictIdle(int keep) {
        Iterator<Entry> it = MODELS.values().iterator();
        while (MODELS.size() > keep && it.hasNext()) {
            Entry e = it.next();
            if (e.leases == 0) {
                it.remove();
                e.model.close();
                LOG.info("closed cached model {} to make room for another", e.path);
            }
        }
    }

    private static void closeAll() {
        synchronized (ExecutorModels.class) {
            for (Entry e : MODELS.values()) {
                try {
                    e.model.close();
                } catch (RuntimeException ex) {
                    LOG.debug("closing {} at exit failed: {}", e.path, ex.toString());
                }
            }
            MODELS.clear();
        }
    }
}
