package io.bge4j.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of README.md and docs/*.md against the class path of this
 * module (all bge4j modules and their dependencies), so the documentation cannot drift from the API.
 * A block that declares a type is compiled as it is; any other block is statements, wrapped in a
 * method after its imports. A block marked {@code ```java fragment} is skipped.
 */
class DocSnippetsCompileTest {

    private static final Pattern TYPE_DECL = Pattern.compile(
            "(?m)^(?:public\\s+|final\\s+|abstract\\s+)*(class|record|interface|enum)\\s+(\\w+)");

    /** One fenced block: where it is and what it holds. */
    record Block(Path doc, int line, String code) {
        String where() {
            return doc.getFileName() + ":" + line;
        }
    }

    @TempDir
    Path tmp;

    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new AssertionError("README.md not found above " + here);
    }

    static List<Block> javaBlocks(Path doc) throws IOException {
        List<Block> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i).strip();
            if (!fence.startsWith("```java")) {
                continue;
            }
            List<String> info = List.of(fence.substring(3).strip().split("\\s+"));
            StringBuilder code = new StringBuilder();
            int start = i + 1;
            for (i = i + 1; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                code.append(lines.get(i)).append('\n');
            }
            if (!info.contains("fragment")) {
                out.add(new Block(doc, start + 1, code.toString()));
            }
        }
        return out;
    }

    /** The compilation unit for a block, in its own package so that blocks never clash. */
    static String unit(Block b, String pkg) {
        String code = b.code();
        if (TYPE_DECL.matcher(code).find()) {
            return "package " + pkg + ";\n" + code;
        }
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : code.split("\n", -1)) {
            if (line.startsWith("import ") && body.toString().isBlank()) {
                imports.append(line).append('\n');
            } else {
                body.append(line).append('\n');
            }
        }
        return "package " + pkg + ";\n" + imports + "class Snippet {\n  void run() throws Exception {\n" + body
                + "  }\n}\n";
    }

    @Test
    void everyJavaBlockInTheReadmeAndTheDocsCompiles() throws IOException {
        Path root = repositoryRoot();
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<Block> blocks = new ArrayList<>();
        for (Path d : docs) {
            blocks.addAll(javaBlocks(d));
        }
        assertTrue(blocks.stream().filter(b -> b.doc().getFileName().toString().equals("README.md")).count() >= 2,
                "the README's two Java snippets are found");
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            String stem = b.doc().getFileName().toString().replace(".md", "").replaceAll("[^A-Za-z0-9]", "_")
                    .toLowerCase(Locale.ROOT);
            String pkg = "snippets." + stem + ".line" + b.line();
            String unit = unit(b, pkg);
            Matcher m = TYPE_DECL.matcher(b.code());
            String type = m.find() ? m.group(2) : "Snippet";
            Path dir = tmp.resolve("src").resolve(pkg.replace('.', '/'));
            Files.createDirectories(dir);
            Path src = dir.resolve(type + ".java");
            Files.writeString(src, unit);
            sources.add(src);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        boolean ok;
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = javac.getTask(null, fm, diags, List.of("-proc:none", "-Xmaxerrs", "100000", "-d", classes.toString(), "-classpath",
                    System.getProperty("java.class.path"), "--release", "17"), null,
                    fm.getJavaFileObjectsFromPaths(sources)).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                Path src = Path.of(d.getSource().toUri());
                Block b = blocks.get(sources.indexOf(src));
                errors.add(b.where() + " (block line " + d.getLineNumber() + "): " + d.getMessage(Locale.ROOT));
            }
        }
        assertEquals(List.of(), errors, "Java blocks in the docs that do not compile");
        assertTrue(ok);
    }

    @Test
    void statementsAreWrappedAfterTheirImportsAndTypesKeptWhole() {
        Block stmts = new Block(Path.of("x.md"), 3, "import java.util.List;\n\nList<String> l = List.of();\n");
        String u = unit(stmts, "p");
        assertTrue(u.startsWith("package p;\nimport java.util.List;\nclass Snippet {\n  void run() throws Exception {\n"), u);
        assertTrue(u.contains("List<String> l = List.of();"), u);
        Block type = new Block(Path.of("x.md"), 3, "import java.util.List;\n\nclass A { List<String> l; }\n");
        assertEquals("package p;\n" + type.code(), unit(type, "p"));
    }
}
