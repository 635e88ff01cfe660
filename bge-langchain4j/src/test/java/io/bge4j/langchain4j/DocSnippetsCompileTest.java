package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.docsnippets.DocSnippets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the {@code ```java bge-langchain4j} blocks of README.md and docs/*.md against this module's test
 * class path (langchain4j 1.x cannot share the class path of {@code examples}, which compiles the untagged
 * blocks).
 */
class DocSnippetsCompileTest {

    @TempDir
    Path tmp;

    @Test
    void everyBlockTaggedForThisModuleCompiles() {
        List<DocSnippets.Block> blocks = DocSnippets.blocks(DocSnippets.repositoryRoot(), "bge-langchain4j");
        assertTrue(blocks.size() >= 2, "the bge-langchain4j blocks of the docs are found: " + blocks.size());
        assertEquals(List.of(), DocSnippets.compile(blocks, tmp, System.getProperty("java.class.path")),
                "bge-langchain4j blocks in the docs that do not compile");
    }
}
