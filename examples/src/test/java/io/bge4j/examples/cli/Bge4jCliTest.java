package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.examples.cli.CliTestKit.Run;
import java.util.List;
import org.junit.jupiter.api.Test;

class Bge4jCliTest {

    @Test
    void rootHelpListsEveryCommandAndEachHasHelp() {
        Run root = run("--help");
        assertEquals(0, root.code());
        for (String command : List.of("embed", "metrics", "evaluate", "mine", "finetune")) {
            assertTrue(root.out().contains("  " + command + " "), command + " in\n" + root.out());
            Run help = run(command, "--help");
            assertEquals(0, help.code(), command);
            assertTrue(help.out().startsWith("Usage: bge4j " + command), help.out());
        }
        Run unknown = run("mine", "--model", "m", "--input", "i", "--corpus", "c", "--output", "o", "--frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown option: '--frobnicate'"), unknown.err());
    }
}
