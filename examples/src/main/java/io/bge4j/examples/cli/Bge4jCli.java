package io.bge4j.examples.cli;

import io.bge4j.core.Bge4jException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bge4j} command line: {@code java -jar examples/target/bge4j.jar <command> [options]}.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar embed --model bge-small-en-v1.5 --input texts.txt --output vectors.jsonl}
 */
@Command(name = "bge4j", mixinStandardHelpOptions = true, version = "bge4j 0.1.0",
        description = "Embed, mine, fine-tune and evaluate BGE embedding models on the JVM.",
        subcommands = {EmbedCommand.class, MetricsCommand.class, EvaluateCommand.class, MineCommand.class,
            FinetuneCommand.class, QuickstartCommand.class, ExportCommand.class, ScoreCommand.class,
            RerankFinetuneCommand.class, MergeCommand.class, AdviseCommand.class})
public final class Bge4jCli {

    private Bge4jCli() {}

    /**
     * Runs a command line and returns its exit code (0 success, 2 usage error, 1 failure); what tests call.
     *
     * @param out standard output
     * @param err standard error
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Bge4jCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof Bge4jException || ex instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + ex.getMessage());
            } else {
                cmd.getErr().println("error: " + ex);
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Entry point of the jar; the only place bge4j ends the JVM, to hand the exit code to the shell.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }
}
