package sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippets compile against the installed artifacts (BOM + bge-train), exactly as
 * a user pastes them: imports first, then statements (wrapped in a method here).
 */
class ReadmeSnippetsTest {

    @TempDir
    Path tmp;

    @Test
    void readmeJavaSnippetsCompileAgainstTheInstalledArtifacts() throws IOException {
        Path readme = Path.of(System.getProperty("bge4j.readme", "../../README.md"));
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            StringBuilder imports = new StringBuilder();
            StringBuilder body = new StringBuilder();
            int start = i + 1;
            for (i = i + 1; !lines.get(i).strip().equals("```"); i++) {
                String l = lines.get(i);
                (l.startsWith("import ") && body.toString().isBlank() ? imports : body).append(l).append('\n');
            }
            String pkg = "readme.line" + start;
            Path dir = Files.createDirectories(tmp.resolve(pkg.replace('.', '/')));
            Path src = dir.resolve("Snippet.java");
            Files.writeString(src, "package " + pkg + ";\n" + imports + "class Snippet {\n void run() throws Exception {\n"
                    + body + " }\n}\n");
            sources.add(src);
        }
        assertTrue(sources.size() >= 2, "the README's quickstart and embedding snippets");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
            javac.getTask(null, fm, diags, List.of("-proc:none", "-d", Files.createDirectories(tmp.resolve("out")).toString(),
                    "-classpath", System.getProperty("java.class.path")), null, fm.getJavaFileObjectsFromPaths(sources)).call();
        }
        List<String> errors = diags.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).toList();
        assertEquals(List.of(), errors);
    }
}
