package io.bge4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueryPromptTest {

    @Test
    void fewShotPromptHasExactText() {
        String p = QueryPrompt.build(List.of(
                new FewShotPair("apt rm keep conf", "apt remove deletes a package\nbut keeps its configuration files."),
                new FewShotPair("  purge vs remove ", "purge also deletes configuration.")),
                "Use apt purge to delete configuration files too.", 2, 1000);
        String expected = """
                You write search queries the way real users type them.
                Below are real queries from our users, each with the passage it found. Copy their style: \
                their length, wording, tone, casing, typos and language. Do not write more formally or more \
                completely than they do.

                Example 1
                Passage: apt remove deletes a package but keeps its configuration files.
                Query: apt rm keep conf

                Example 2
                Passage: purge also deletes configuration.
                Query: purge vs remove

                Write 2 different queries that such a user would type and that the following passage answers. \
                Do not copy sentences from the passage.
                Passage: Use apt purge to delete configuration files too.

                Answer with a JSON array of 2 strings and nothing else.""";
        assertEquals(expected, p);
    }

    @Test
    void zeroShotPromptAndCutPassages() {
        String p = QueryPrompt.build(List.of(), "Use apt purge to delete configuration files too.", 1, 16);
        assertEquals("""
                You write search queries the way real users type them.
                Write 1 query that such a user would type and that the following passage answers. \
                Do not copy sentences from the passage.
                Passage: Use apt purge to…

                Answer with a JSON array of 1 string and nothing else.""", p);
    }
}
