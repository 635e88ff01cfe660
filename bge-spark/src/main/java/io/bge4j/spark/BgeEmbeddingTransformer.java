package io.bge4j.spark;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that appends BGE embeddings of a text column.
 *
 * <p>Each executor JVM loads the model once from {@code modelPath} — a directory every executor
 * can read (shared file system, or shipped with {@code spark-submit --archives}) or an embedded
 * preset name such as {@code bge-small-en-v1.5} — and its tasks share it (see docs/spark.md; the
 * weights are never broadcast). Within a partition, up to {@code sortWindow} rows at a time are
 * sorted by token length into batches of {@code batchSize}, encoded, and emitted in their input
 * order. In {@code query} mode the model's query instruction (or {@code queryInstruction}) is
 * prepended, as {@link io.bge4j.core.Embedder#encodeQueries} does; {@code document} mode adds
 * nothing. The output column is {@code array<float>} or, with {@code outputType = vector}, an ML
 * dense vector. A null text fails the task with the column named. Persistable, so it can be a
 * stage of a saved {@link org.apache.spark.ml.Pipeline}.
 *
 * <p>Usage:
 * <pre>{@code
 * Dataset<Row> out = new BgeEmbeddingTransformer()
 *     .setModelPath("/shared/models/bge-small-en-v1.5").setInputCol("text").setOutputCol("embedding")
 *     .setMode("query").setBatchSize(64).transform(df);
 * }</pre>
 */
public final class BgeEmbeddingTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> modelPath;
    private final Param<String> mode;
    private final Param<String> outputType;
    private final Param<String> queryInstruction;
    private final IntParam batchSize;
    private final IntParam maxLength;
    private final IntParam sortWindow;

    /** A transformer with a random uid and the default settings. */
    public BgeEmbeddingTransformer() {
        this(Identifiable$.MODULE$.randomUID("bgeEmbedding"));
    }

    /**
     * @param uid the stage's uid (used by Spark ML persistence)
     */
    public BgeEmbeddingTransformer(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "the string column to encode");
        outputCol = new Param<>(this, "outputCol", "the column the embeddings are written to");
        modelPath = new Param<>(this, "modelPath",
                "model directory readable by every executor (or an embedded preset name)");
        mode = new Param<>(this, "mode", "'document' (no instruction) or 'query' (BGE query instruction prepended)",
                ParamValidators.inArray(new String[] {"document", "query"}));
        outputType = new Param<>(this, "outputType", "'array' (array<float>) or 'vector' (ML dense vector)",
                ParamValidators.inArray(new String[] {"array", "vector"}));
        queryInstruction = new Param<>(this, "queryInstruction",
                "instruction prepended in query mode; unset = the model's own");
        batchSize = new IntParam(this, "batchSize", "texts per forward pass (>= 1)", ParamValidators.gtEq(1));
        maxLength = new IntParam(this, "maxLength", "tokens per text incl. special tokens; 0 = the model's",
                ParamValidators.gtEq(0));
        sortWindow = new IntParam(this, "sortWindow",
                "rows per task sorted by length together (bounds task memory; >= 1)", ParamValidators.gtEq(1));
        setDefault(inputCol, "text");
        setDefault(outputCol, "embedding");
        setDefault(mode, "document");
        setDefault(outputType, "array");
        setDefault(batchSize, (Object) 32);
        setDefault(maxLength, (Object) 0);
        setDefault(sortWindow, (Object) 4096);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** @return the input column param */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** @return the output column param */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** @return the model path param */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** @return the mode param ("document" or "query") */
    public Param<String> mode() {
        return mode;
    }

    /** @return the output type param ("array" or "vector") */
    public Param<String> outputType() {
        return outputType;
    }

    /** @return the query instruction param */
    public Param<String> queryInstruction() {
        return queryInstruction;
    }

    /** @return the batch size param */
    public IntParam batchSize() {
        return batchSize;
    }

    /** @return the max length param */
    public IntParam maxLength() {
        return maxLength;
    }

    /** @return the sort window param */
    public IntParam sortWindow() {
        return sortWindow;
    }

    /** @param v the input column @return this */
    public BgeEmbeddingTransformer setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    /** @param v the output column @return this */
    public BgeEmbeddingTransformer setOutputCol(String v) {
        set(outputCol, v);
        return this;
    }

    /** @param v a model directory every executor can read, or a preset name @return this */
    public BgeEmbeddingTransformer setModelPath(String v) {
        set(modelPath, v);
        return this;
    }

    /** @param v "document" or "query" @return this */
    public BgeEmbeddingTransformer setMode(String v) {
        set(mode, v == null ? null : v.toLowerCase(Locale.ROOT));
        return this;
    }

    /** @param v "array" or "vector" @return this */
    public BgeEmbeddingTransformer setOutputType(String v) {
        set(outputType, v == null ? null : v.toLowerCase(Locale.ROOT));
        return this;
    }

    /** @param v the instruction prepended in query mode ("" for none) @return this */
    public BgeEmbeddingTransformer setQueryInstruction(String v) {
        set(queryInstruction, v);
        return this;
    }

    /** @param v texts per forward pass @return this */
    public BgeEmbeddingTransformer setBatchSize(int v) {
        set(batchSize, (Object) v);
        return this;
    }

    /** @param v tokens per text (0: the model's maximum) @return this */
    public BgeEmbeddingTransformer setMaxLength(int v) {
        set(maxLength, (Object) v);
        return this;
    }

    /** @param v rows sorted by length together per task @return this */
    public BgeEmbeddingTransformer setSortWindow(int v) {
        set(sortWindow, (Object) v);
        return this;
    }

    private String str(Param<String> p) {
        return getOrDefault(p);
    }

    private int integer(IntParam p) {
        return (Integer) getOrDefault(p);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("modelPath is required: setModelPath(a directory every executor can read,"
                    + " or a preset name such as bge-small-en-v1.5)");
        }
        String in = str(inputCol);
        String out = str(outputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("inputCol '" + in + "' is not a column; the columns are "
                    + Arrays.toString(schema.fieldNames()));
        }
        DataType t = schema.apply(in).dataType();
        if (!t.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("inputCol '" + in + "' must be a string column, was " + t.simpleString());
        }
        if (Arrays.asList(schema.fieldNames()).contains(out)) {
            throw new IllegalArgumentException("outputCol '" + out + "' already exists; choose another name");
        }
        DataType outType = "vector".equals(str(outputType)) ? SQLDataTypes.VectorType()
                : DataTypes.createArrayType(DataTypes.FloatType, false);
        return schema.add(new StructField(out, outType, false, org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema());
        Dataset<Row> df = dataset.toDF();
        PartitionEncoder enc = partitionEncoder(df.schema().fieldIndex(str(inputCol)));
        return df.mapPartitions((MapPartitionsFunction<Row, Row>) enc::apply, Encoders.row(outSchema));
    }

    PartitionEncoder partitionEncoder(int inputIndex) {
        return new PartitionEncoder(str(modelPath), "query".equals(str(mode)),
                isDefined(queryInstruction) ? str(queryInstruction) : null, integer(batchSize), integer(maxLength),
                integer(sortWindow), "vector".equals(str(outputType)), inputIndex, str(inputCol));
    }

    @Override
    public BgeEmbeddingTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** @return the reader Spark ML persistence uses ({@code Pipeline.load} finds it by reflection) */
    public static MLReader<BgeEmbeddingTransformer> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * @param path where {@link #save(String)} wrote the transformer
     * @return the transformer
     */
    public static BgeEmbeddingTransformer load(String path) {
        return read().load(path);
    }
}
