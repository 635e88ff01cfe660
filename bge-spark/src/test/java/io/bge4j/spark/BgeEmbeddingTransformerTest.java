package io.bge4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BgeEmbeddingTransformerTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path model;
    static List<String> texts;
    static Dataset<Row> df;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.session(tmp);
        texts = new ArrayList<>(SparkFixtures.corpus(60).fullTexts());
        texts.add("");                                   // empty text allowed
        texts.add("apt");                                // very short
        model = SparkFixtures.tinyModel(texts, tmp.resolve("tiny"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create((long) i, texts.get(i)));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
        df = spark.createDataFrame(rows, schema).repartition(3).sortWithinPartitions("id");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static double cosineOf(float[] a, float[] b) {
        return cosine(a, b);
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static float[][] byId(List<Row> rows, int n, boolean vector) {
        float[][] out = new float[n][];
        for (Row r : rows) {
            int id = (int) r.getLong(0);
            if (vector) {
                double[] d = ((Vector) r.get(2)).toArray();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                out[id] = f;
            } else {
                List<Float> l = r.getList(2);
                float[] f = new float[l.size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = l.get(i);
                }
                out[id] = f;
            }
        }
        return out;
    }

    private static void assertSame(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length, "dimension of row " + i);
            assertTrue(cosine(expected[i], actual[i]) >= 0.9999, "row " + i + " cosine " + cosine(expected[i], actual[i]));
            // tiny random models give similar vectors to every text, so cosine alone would not tell rows apart
            assertTrue(maxAbsDiff(expected[i], actual[i]) <= 1e-5, "row " + i + " differs by "
                    + maxAbsDiff(expected[i], actual[i]));
        }
    }

    @Test
    void documentAndQueryModeMatchTheEmbedderInInputOrder() {
        float[][] docs;
        float[][] queries;
        try (BgeModel m = BgeModel.load(model); Embedder e = m.embedder().batchSize(8).build()) {
            docs = e.encodeCorpus(texts);
            queries = e.encodeQueries(texts);
        }
        BgeEmbeddingTransformer t = new BgeEmbeddingTransformer().setModelPath(model.toString()).setBatchSize(8)
                .setSortWindow(7);
        Dataset<Row> out = t.transform(df);
        List<Row> rows = out.collectAsList();
        // rows stay in their partition order and keep every input column
        assertEquals(df.collectAsList().stream().map(r -> r.getLong(0)).toList(), rows.stream().map(r -> r.getLong(0)).toList());
        rows.forEach(r -> assertEquals(texts.get((int) r.getLong(0)), r.getString(1)));
        assertSame(docs, byId(rows, texts.size(), false));
        List<Row> q = t.copy(new org.apache.spark.ml.param.ParamMap()).setMode("query").setOutputType("vector")
                .transform(df).collectAsList();
        assertSame(queries, byId(q, texts.size(), true));
    }

    @Test
    void customInstructionAndMaxLengthAreApplied() {
        float[][] expected;
        try (BgeModel m = BgeModel.load(model); Embedder e = m.embedder().maxLength(8).queryInstruction("apt ").build()) {
            expected = e.encodeQueries(texts);
        }
        List<Row> rows = new BgeEmbeddingTransformer().setModelPath(model.toString()).setMode("query")
                .setQueryInstruction("apt ").setMaxLength(8).transform(df).collectAsList();
        assertSame(expected, byId(rows, texts.size(), false));
        // the instruction changes the vectors, so the comparison above tells query mode from document mode
        List<Row> plain = new BgeEmbeddingTransformer().setModelPath(model.toString()).setMaxLength(8).transform(df)
                .collectAsList();
        float[][] docs = byId(plain, texts.size(), false);
        for (int i = 0; i + 1 < texts.size(); i++) {
            assertTrue(maxAbsDiff(docs[i], expected[i]) > 1e-4, "query and document vectors of row " + i + " differ by "
                    + maxAbsDiff(docs[i], expected[i]));
            assertTrue(maxAbsDiff(docs[i], docs[i + 1]) > 1e-4, "rows " + i + " and " + (i + 1) + " differ by "
                    + maxAbsDiff(docs[i], docs[i + 1]));
        }
    }

    @Test
    void savesAndLoadsAloneAndInsideAPipeline() throws Exception {
        BgeEmbeddingTransformer t = new BgeEmbeddingTransformer().setModelPath(model.toString()).setMode("query")
                .setBatchSize(5).setMaxLength(16).setOutputCol("vec").setOutputType("vector").setSortWindow(11);
        String dir = tmp.resolve("saved-transformer").toString();
        t.save(dir);
        BgeEmbeddingTransformer back = BgeEmbeddingTransformer.load(dir);
        assertEquals(t.uid(), back.uid());
        int defined = 0;
        for (org.apache.spark.ml.param.Param<?> p : t.params()) {
            org.apache.spark.ml.param.Param<Object> q = back.getParam(p.name());
            assertEquals(t.isDefined(p), back.isDefined(q), p.name());
            if (t.isDefined(p)) {
                assertEquals(t.getOrDefault(p), back.getOrDefault(q), p.name());
                defined++;
            }
        }
        assertEquals(8, defined);
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {t}).fit(df);
        String pdir = tmp.resolve("saved-pipeline").toString();
        pm.save(pdir);
        PipelineModel loaded = PipelineModel.load(pdir);
        List<Row> a = pm.transform(df).collectAsList();
        List<Row> b = loaded.transform(df).collectAsList();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).get(2), b.get(i).get(2), "row " + i);
        }
    }

    @Test
    void badInputFailsWithTheColumnNamed() {
        BgeEmbeddingTransformer t = new BgeEmbeddingTransformer().setModelPath(model.toString());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new BgeEmbeddingTransformer().transform(df));
        assertTrue(missing.getMessage().contains("modelPath"), missing.getMessage());
        IllegalArgumentException col = assertThrows(IllegalArgumentException.class,
                () -> t.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("body").transform(df));
        assertTrue(col.getMessage().contains("'body'"), col.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> t.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("id").transform(df));
        assertTrue(type.getMessage().contains("string"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.setMode("passage"));
        StructType schema = new StructType().add("text", DataTypes.StringType);
        Dataset<Row> withNull = spark.createDataFrame(List.of(RowFactory.create("apt"), RowFactory.create((Object) null)),
                schema);
        SparkException e = assertThrows(SparkException.class, () -> t.transform(withNull).collectAsList());
        assertTrue(String.valueOf(e.getMessage()).contains("'text' is null") || rootMessage(e).contains("'text' is null"),
                rootMessage(e));
    }

    static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
