package io.bge4j.train.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a model card ({@code README.md}) in the spirit of sentence-transformers' cards: YAML front
 * matter (library, tags, base model) for the Hugging Face Hub, then what the model is, how to use it
 * from bge4j, sentence-transformers and transformers, the training data, the full configuration, the
 * metrics before and after with their confidence intervals, and the software versions. Everything
 * comes from a {@link Provenance}, which is written next to it as {@code provenance.json}.
 *
 * <p>The card carries a marker comment ({@value #MARKER}). A {@code README.md} without it was not
 * written by bge4j and is never replaced: {@link #write} leaves it as it is and returns
 * {@link OutputFile.Status#SKIPPED} with the reason (also logged as a warning). Deleting the marker
 * line from a generated card keeps your edits from being replaced by the next save.
 *
 * <p>Usage: {@code List<OutputFile> files = ModelCardWriter.writeAll(Path.of("runs/demo/final"), provenance);}
 */
public final class ModelCardWriter {

    /** The marker line that identifies a card bge4j wrote. */
    public static final String MARKER = "<!-- bge4j:model-card";
    /** File name of the card. */
    public static final String FILE = "README.md";

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*");

    private ModelCardWriter() {}

    /**
     * Writes {@code README.md} and {@code provenance.json} into the model directory, each only if no file bge4j
     * did not write is there.
     *
     * @param modelDir the saved model's directory
     * @param p the provenance
     * @return what happened to each file: the card first
     */
    public static List<OutputFile> writeAll(Path modelDir, Provenance p) {
        List<OutputFile> out = new ArrayList<>();
        out.add(write(modelDir, p));
        out.add(p.write(modelDir));
        return List.copyOf(out);
    }

    /**
     * @param modelDir the saved model's directory
     * @param p the provenance
     * @return what happened to {@code README.md}
     */
    public static OutputFile write(Path modelDir, Provenance p) {
        return SafeFiles.write(modelDir.resolve(FILE), render(p, modelDir.toString()), ModelCardWriter::isOurs,
                "model card");
    }

    /**
     * @param text a README's content
     * @return whether bge4j wrote it (it carries {@link #MARKER})
     */
    public static boolean isOurs(String text) {
        return text.contains(MARKER);
    }

    /**
     * @param p the provenance
     * @param modelPath how the usage snippets refer to the model (a directory or a Hub id)
     * @return the card's Markdown
     */
    public static String render(Provenance p, String modelPath) {
        StringBuilder sb = new StringBuilder(8192);
        ModelInfo m = p.model();
        BaseModelInfo base = p.baseModel();
        sb.append("---\n");
        sb.append("library_name: sentence-transformers\n");
        sb.append("pipeline_tag: sentence-similarity\n");
        sb.append("tags:\n");
        for (String t : List.of("sentence-transformers", "sentence-similarity", "feature-extraction", "bge", "bge4j")) {
            sb.append("- ").append(t).append('\n');
        }
        if (HUB_ID.matcher(base.source()).matches()) {
            sb.append("base_model: ").append(yaml(base.source())).append('\n');
        }
        sb.append("---\n\n");
        sb.append(MARKER).append(": written by bge4j from provenance.json; the next save replaces this file."
                + " Delete this line to keep your own edits. -->\n\n");
        sb.append("# ").append(inline(m.name())).append("\n\n");
        sb.append("A BGE text-embedding model fine-tuned with bge4j from `").append(inline(base.source()))
                .append("` on ").append(p.data().examples()).append(" training examples. It maps a text to a ")
                .append(m.dimension()).append("-dimensional vector (").append(m.pooling()).append(" pooling")
                .append(m.normalized() ? ", L2-normalised" : "").append(") for retrieval and similarity.\n\n");
        sb.append("| | |\n|---|---|\n");
        row(sb, "Base model", "`" + base.source() + "`" + (base.name().equals(base.source()) ? "" : " (" + base.name() + ")"));
        row(sb, "Base weights fingerprint", "`" + base.fingerprint() + "`");
        row(sb, "Weights fingerprint", "`" + m.fingerprint() + "`");
        row(sb, "Architecture", m.architecture());
        row(sb, "Embedding dimension", String.valueOf(m.dimension()));
        row(sb, "Maximum sequence length", m.maxLength() + " tokens");
        row(sb, "Pooling", m.pooling() + (m.normalized() ? ", then L2 normalisation" : ""));
        row(sb, "Query instruction", m.queryInstruction().isEmpty() ? "none" : "`" + m.queryInstruction() + "`");
        sb.append('\n');

        usage(sb, m, modelPath);

        sb.append("## Training data\n\n| | |\n|---|---|\n");
        row(sb, "Set", p.data().name());
        row(sb, "Examples", String.valueOf(p.data().examples()));
        row(sb, "SHA-256 (" + p.data().hashOf() + ")", "`" + p.data().sha256() + "`");
        if (p.data().mix() != null) {
            io.bge4j.data.synthetic.MixReport mix = p.data().mix();
            row(sb, "Mix", String.format(Locale.ROOT, "%d real, %d synthetic (%.1f %% synthetic)", mix.real(),
                    mix.synthetic(), 100 * mix.syntheticShare()));
            sb.append("\nHow real and synthetic data were mixed:\n\n").append(mix.toMarkdown());
        }
        sb.append('\n');

        sb.append("## Training\n\n");
        sb.append("Loss: ").append(inline(p.loss())).append(".\n\n");
        TrainingSummary t = p.training();
        sb.append(t.steps()).append(" optimizer steps in ").append(duration(t.seconds())).append(", stopped: ")
                .append(t.stopReason()).append('.');
        if (t.bestStep() != null) {
            sb.append(" Best evaluation at step ").append(t.bestStep());
            if (t.bestValue() != null) {
                sb.append(" (").append(fmt(t.bestValue())).append(')');
            }
            sb.append('.');
        }
        sb.append("\n\n");
        if (!p.configuration().isEmpty()) {
            sb.append("| option | value |\n|---|---|\n");
            for (Map.Entry<String, Object> e : p.configuration().entrySet()) {
                row(sb, "`" + e.getKey() + "`", e.getValue() == null ? "(not set)" : value(e.getValue()));
            }
            sb.append('\n');
        }

        EvaluationSummary ev = p.evaluation();
        if (ev != null) {
            sb.append("## Evaluation\n\n");
            sb.append("On `").append(inline(ev.name())).append('`');
            if (ev.queries() != null) {
                sb.append(", ").append(ev.queries()).append(" queries");
            }
            sb.append("; the primary metric, which picked the saved model, is **").append(inline(ev.primaryMetric()))
                    .append("**.");
            boolean intervals = ev.confidence() != null;
            String pct = intervals ? Math.round(ev.confidence() * 100) + " %" : "";
            if (intervals) {
                sb.append(" Intervals: ").append(pct).append(" paired bootstrap over queries; p: paired randomisation"
                        + " test.");
            } else {
                sb.append(" No intervals: only the means of the evaluations during training were kept.");
            }
            sb.append("\n\n| metric | before | after | Δ |").append(intervals ? " " + pct + " CI of Δ | p |" : "")
                    .append("\n|---|---:|---:|---:|").append(intervals ? "---|---:|" : "").append('\n');
            for (MetricChange c : ev.metrics()) {
                String key = c.metric().equals(ev.primaryMetric()) ? "**" + c.metric() + "**" : c.metric();
                sb.append("| ").append(inline(key)).append(" | ").append(fmt(c.before())).append(" | ")
                        .append(fmt(c.after())).append(" | ").append(signed(c.delta())).append(" |");
                if (intervals) {
                    sb.append(" [").append(signed(c.ciLow())).append(", ").append(signed(c.ciHigh())).append("] | ")
                            .append(c.pValue() == null ? "n/a" : c.pValue() < 1e-4 ? "<0.0001"
                                    : String.format(Locale.ROOT, "%.4f", c.pValue())).append(" |");
                }
                sb.append('\n');
            }
            sb.append('\n');
        }

        Versions v = p.versions();
        sb.append("## Versions\n\n| | |\n|---|---|\n");
        row(sb, "bge4j", v.bge4j());
        row(sb, "DJL", v.djl());
        row(sb, "Engine", v.engine());
        row(sb, "Java", v.java());
        row(sb, "OS", v.os());
        row(sb, "Written", p.createdAt());
        sb.append("\nThe same facts, machine-readable: `provenance.json`.\n");
        return sb.toString();
    }

    private static void usage(StringBuilder sb, ModelInfo m, String path) {
        String instr = m.queryInstruction();
        sb.append("## Usage\n\n### bge4j (Java)\n\n```java\n")
                .append("try (BgeModel model = BgeModel.load(Path.of(").append(java(path)).append("));\n")
                .append("     Embedder embedder = model.embedder().build()) {\n")
                .append("    float[][] q = embedder.encodeQueries(List.of(\"how do I install a web server\"));")
                .append(instr.isEmpty() ? "\n" : "   // adds the query instruction\n")
                .append("    float[][] d = embedder.encodeCorpus(List.of(\"nginx is a small, fast HTTP server\"));\n")
                .append("}\n```\n\n");
        sb.append("### sentence-transformers\n\n```python\nfrom sentence_transformers import SentenceTransformer\n\n")
                .append("model = SentenceTransformer(").append(py(path)).append(")\n");
        if (!instr.isEmpty()) {
            sb.append("q = model.encode([").append(py(instr)).append(" + \"how do I install a web server\"]")
                    .append(m.normalized() ? ", normalize_embeddings=True" : "").append(")\n");
        } else {
            sb.append("q = model.encode([\"how do I install a web server\"]")
                    .append(m.normalized() ? ", normalize_embeddings=True" : "").append(")\n");
        }
        sb.append("d = model.encode([\"nginx is a small, fast HTTP server\"]")
                .append(m.normalized() ? ", normalize_embeddings=True" : "").append(")\n")
                .append("print(q @ d.T)\n```\n\n");
        sb.append("### transformers\n\n```python\nimport torch\nfrom transformers import AutoModel, AutoTokenizer\n\n")
                .append("tokenizer = AutoTokenizer.from_pretrained(").append(py(path)).append(")\n")
                .append("model = AutoModel.from_pretrained(").append(py(path)).append(").eval()\n")
                .append("texts = [").append(instr.isEmpty() ? "" : py(instr) + " + ")
                .append("\"how do I install a web server\", \"nginx is a small, fast HTTP server\"]\n")
                .append("batch = tokenizer(texts, padding=True, truncation=True, max_length=").append(m.maxLength())
                .append(", return_tensors=\"pt\")\n")
                .append("with torch.no_grad():\n    hidden = model(**batch).last_hidden_state\n");
        switch (m.pooling()) {
            case "MEAN" -> sb.append("mask = batch[\"attention_mask\"].unsqueeze(-1).float()\n")
                    .append("emb = (hidden * mask).sum(1) / mask.sum(1)   # mean pooling\n");
            case "LAST_TOKEN" -> sb.append("last = batch[\"attention_mask\"].sum(1) - 1\n")
                    .append("emb = hidden[torch.arange(hidden.size(0)), last]   # last-token pooling\n");
            default -> sb.append("emb = hidden[:, 0]   # CLS pooling\n");
        }
        if (m.normalized()) {
            sb.append("emb = torch.nn.functional.normalize(emb, p=2, dim=1)\n");
        }
        sb.append("print(emb[0] @ emb[1])\n```\n\n");
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(inline(k)).append(" | ").append(inline(v)).append(" |\n");
    }

    private static String value(Object v) {
        if (v instanceof Double d) {
            return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }

    private static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String signed(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%+.4f", v);
    }

    /** Text safe in a Markdown table cell. */
    static String inline(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
    }

    private static String yaml(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String py(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String java(String s) {
        return py(s);
    }
}
