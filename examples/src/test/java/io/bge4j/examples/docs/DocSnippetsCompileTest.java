package io.bge4j.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.docsnippets.DocSnippets;
import io.bge4j.docsnippets.DocSnippets.Block;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every untagged {@code ```java} block of README.md and docs/*.md against the class path of
 * this module (all core bge4j modules and their dependencies), so the documentation cannot drift from
 * the API. Blocks tagged with an adapter module ({@code ```java bge-spark}) are compiled by that
 * module's own snippet test; a fence word that names no module fails here, so no block goes unchecked.
 */
class DocSnippetsCompileTest {

    @TempDir
    Path tmp;

    @Test
    void everyUntaggedJavaBlockInTheReadmeAndTheDocsCompiles() {
        Path root = DocSnippets.repositoryRoot();
        List<Block> blocks = DocSnippets.blocks(root, null);
        assertTrue(blocks.stream().filter(b -> b.doc().getFileName().toString().equals("README.md")).count() >= 2,
                "the README's quickstart and embedding snippets are found");
        assertEquals(List.of(), DocSnippets.compile(blocks, tmp, System.getProperty("java.class.path")),
                "Java blocks in the docs that do not compile");
    }

    @Test
    void everyFenceWordNamesTheModuleThatCompilesTheBlock() {
        assertEquals(List.of(), DocSnippets.unknownTags(DocSnippets.repositoryRoot()),
                "```java blocks whose fence names no module of " + DocSnippets.MODULE_TAGS
                        + " (no test would compile them)");
    }

    @Test
    void aBlockThatDoesNotCompileIsReportedWithItsDocumentAndLine() throws Exception {
        Path doc = Files.writeString(tmp.resolve("x.md"), "text\n```java\nimport java.util.List;\n\nList<String> l = 3;\n```\n");
        List<Block> blocks = DocSnippets.javaBlocks(doc);
        assertEquals(1, blocks.size());
        List<String> errors = DocSnippets.compile(blocks, Files.createDirectories(tmp.resolve("work")),
                System.getProperty("java.class.path"));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("x.md:5: "), errors.get(0));   // the line of "List<String> l = 3;"
        assertTrue(errors.get(0).contains("incompatible types"), errors.get(0));
    }

    @Test
    void fenceWordsAreTagsAndIndentedBlocksAreFound() throws Exception {
        Path doc = Files.writeString(tmp.resolve("y.md"),
                "```java bge-spark\nint a = 1;\n```\n1. item\n   ```java\n   int b = 2;\n   ```\n```javascript\nx\n```\n");
        List<Block> blocks = DocSnippets.javaBlocks(doc);
        assertEquals(2, blocks.size());
        assertEquals(List.of("bge-spark"), blocks.get(0).tags());
        assertEquals(List.of(), blocks.get(1).tags());
        assertTrue(DocSnippets.unit(blocks.get(1), "p").contains("\nint b = 2;\n"), DocSnippets.unit(blocks.get(1), "p"));
    }

    @Test
    void statementsAreWrappedAfterTheirImportsAndTypesKeptWhole() {
        Block stmts = new Block(Path.of("x.md"), 3, List.of(), "import java.util.List;\n\nList<String> l = List.of();\n");
        String u = DocSnippets.unit(stmts, "p");
        assertTrue(u.startsWith("package p;\nimport java.util.List;\nclass Snippet {\n  void run() throws Exception {\n"), u);
        assertTrue(u.contains("List<String> l = List.of();"), u);
        Block type = new Block(Path.of("x.md"), 3, List.of(), "import java.util.List;\n\nclass A { List<String> l; }\n");
        assertEquals("package p;\n" + type.code(), DocSnippets.unit(type, "p"));
    }
}
