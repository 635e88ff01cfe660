package io.bge4j.docsnippets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Finds the {@code ```java} blocks of {@code README.md} and {@code docs/*.md} and compiles them, so that
 * the documentation cannot drift from the API. A block that declares a type is compiled as it is; any
 * other block is statements, wrapped in a method after its imports. The words after {@code java} on
 * the fence name the module whose test class path compiles the block ({@code ```java bge-spark});
 * a block without one is compiled by {@code examples}, whose class path holds every core module.
 *
 * <p>Usage, in a module's test:
 * <pre>{@code
 * List<DocSnippets.Block> mine = DocSnippets.blocks(DocSnippets.repositoryRoot(), "bge-spark");
 * assertEquals(List.of(), DocSnippets.compile(mine, tempDir, System.getProperty("java.class.path")));
 * }</pre>
 */
public final class DocSnippets {

    /** The modules that compile tagged blocks; {@code examples} compiles the untagged ones. */
    public static final Set<String> MODULE_TAGS = Set.of("bge-langchain4j", "bge-spring-ai", "bge-spark");

    private static final Pattern TYPE_DECL = Pattern.compile(
            "(?m)^(?:public\\s+|final\\s+|abstract\\s+)*(class|record|interface|enum)\\s+(\\w+)");

    private DocSnippets() {
    }

    /**
     * One fenced Java block.
     *
     * @param doc  the Markdown file
     * @param line the 1-based line of the block's first code line
     * @param tags the words after {@code java} on the fence
     * @param code the block's text
     */
    public record Block(Path doc, int line, List<String> tags, String code) {
        /** Compact constructor: copies the tags. */
        public Block {
            tags = List.copyOf(tags);
        }

        /** @return {@code file:line}, for messages */
        public String where() {
            return doc.getFileName() + ":" + line;
        }
    }

    /**
     * The repository root: the nearest folder at or above the working directory that holds
     * {@code README.md} and {@code docs/}.
     *
     * @return the root folder
     * @throws IllegalStateException when there is none
     */
    public static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("README.md and docs/ not found at or above " + here);
    }

    /**
     * The documents whose blocks are checked: {@code README.md}, then {@code docs/*.md} by name.
     *
     * @param root the repository root
     * @return the Markdown files
     */
    public static List<Path> documents(Path root) {
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /**
     * Every {@code ```java} block of one Markdown file, indented ones (inside list items) included.
     *
     * @param doc the Markdown file
     * @return its Java blocks in order
     */
    public static List<Block> javaBlocks(Path doc) {
        List<String> lines;
        try {
            lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i).strip();
            if (!fence.equals("```java") && !fence.startsWith("```java ")) {
                continue;
            }
            String info = fence.substring("```java".length()).strip();
            List<String> tags = info.isEmpty() ? List.of() : List.of(info.split("\\s+"));
            StringBuilder code = new StringBuilder();
            int start = i + 1;
            for (i = i + 1; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                code.append(lines.get(i)).append('\n');
            }
            out.add(new Block(doc, start + 1, tags, code.toString()));
        }
        return out;
    }

    /**
     * The Java blocks of every document that a module compiles.
     *
     * @param root   the repository root
     * @param module a name of {@link #MODULE_TAGS}, or {@code null} for the untagged blocks
     * @return the blocks, in document order
     */
    public static List<Block> blocks(Path root, String module) {
        List<Block> out = new ArrayList<>();
        for (Path d : documents(root)) {
            for (Block b : javaBlocks(d)) {
                if (module == null ? b.tags().isEmpty() : b.tags().contains(module)) {
                    out.add(b);
                }
            }
        }
        return out;
    }

    /**
     * The blocks whose fence carries a word that is not a module of {@link #MODULE_TAGS}; such a
     * block would be compiled by no test.
     *
     * @param root the repository root
     * @return {@code file:line: word} for each
     */
    public static List<String> unknownTags(Path root) {
        List<String> out = new ArrayList<>();
        for (Path d : documents(root)) {
            for (Block b : javaBlocks(d)) {
                for (String t : b.tags()) {
                    if (!MODULE_TAGS.contains(t)) {
                        out.add(b.where() + ": " + t);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The compilation unit for a block, in its own package so that blocks never clash. Statements
     * are wrapped in {@code void run() throws Exception} of a class {@code Snippet}, after the
     * block's leading imports (indentation removed).
     *
     * @param b   the block
     * @param pkg the package to put it in
     * @return Java source
     */
    public static String unit(Block b, String pkg) {
        return wrap(b, pkg, new ArrayList<>());
    }

    /** Builds the unit; {@code docLines} gets, per unit line, the document line it came from (0: added). */
    private static String wrap(Block b, String pkg, List<Integer> docLines) {
        String code = dedent(b.code());
        String[] lines = code.split("\n", -1);
        docLines.add(0);
        if (TYPE_DECL.matcher(code).find()) {
            for (int i = 0; i < lines.length; i++) {
                docLines.add(b.line() + i);
            }
            return "package " + pkg + ";\n" + code;
        }
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        List<Integer> importLines = new ArrayList<>();
        List<Integer> bodyLines = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("import ") && body.toString().isBlank()) {
                imports.append(line).append('\n');
                importLines.add(b.line() + i);
            } else {
                body.append(line).append('\n');
                bodyLines.add(b.line() + i);
            }
        }
        docLines.addAll(importLines);
        docLines.add(0);
        docLines.add(0);
        docLines.addAll(bodyLines);
        return "package " + pkg + ";\n" + imports + "class Snippet {\n  void run() throws Exception {\n" + body
                + "  }\n}\n";
    }

    /** The text less the indentation common to its non-blank lines (a block inside a list item). */
    static String dedent(String code) {
        String[] lines = code.split("\n", -1);
        int common = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                common = Math.min(common, l.length() - l.stripLeading().length());
            }
        }
        if (common == Integer.MAX_VALUE || common == 0) {
            return code;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            out.append(lines[i].isBlank() ? "" : lines[i].substring(common));
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Compiles blocks together, each in its own package under {@code workDir}.
     *
     * @param blocks    the blocks
     * @param workDir   an empty folder for the sources and classes (the caller deletes it)
     * @param classPath the class path to compile against
     * @return one line per compilation error, naming the document, line and message; empty when all compile
     */
    public static List<String> compile(List<Block> blocks, Path workDir, String classPath) {
        try {
            List<Path> sources = new ArrayList<>();
            List<List<Integer>> lineMaps = new ArrayList<>();
            for (Block b : blocks) {
                String stem = b.doc().getFileName().toString().replace(".md", "").replaceAll("[^A-Za-z0-9]", "_")
                        .toLowerCase(Locale.ROOT);
                String pkg = "snippets." + stem + ".line" + b.line();
                Matcher m = TYPE_DECL.matcher(dedent(b.code()));
                String type = m.find() ? m.group(2) : "Snippet";
                Path dir = Files.createDirectories(workDir.resolve("src").resolve(pkg.replace('.', '/')));
                Path src = dir.resolve(type + ".java");
                List<Integer> map = new ArrayList<>();
                Files.writeString(src, wrap(b, pkg, map));
                lineMaps.add(map);
                sources.add(src);
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) {
                throw new IllegalStateException("no Java compiler in this runtime: run the tests on a JDK, not a JRE");
            }
            DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
            Path classes = Files.createDirectories(workDir.resolve("classes"));
            boolean ok;
            try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
                ok = javac.getTask(null, fm, diags, List.of("-proc:none", "-Xmaxerrs", "100000", "-d", classes.toString(),
                        "-classpath", classPath, "--release", "17"), null, fm.getJavaFileObjectsFromPaths(sources)).call();
            }
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    String where = "(no source)";
                    if (d.getSource() != null) {
                        int i = sources.indexOf(Path.of(d.getSource().toUri()));
                        if (i < 0) {
                            where = d.getSource().getName();
                        } else {
                            List<Integer> map = lineMaps.get(i);
                            long unitLine = d.getLineNumber();
                            int docLine = unitLine >= 1 && unitLine <= map.size() ? map.get((int) unitLine - 1) : 0;
                            Block b = blocks.get(i);
                            where = docLine > 0 ? b.doc().getFileName() + ":" + docLine
                                    : b.where() + " (wrapper line " + unitLine + ")";
                        }
                    }
                    errors.add(where + ": " + d.getMessage(Locale.ROOT));
                }
            }
            if (!ok && errors.isEmpty()) {
                errors.add("javac failed without an error diagnostic");
            }
            return errors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
