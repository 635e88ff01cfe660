package io.bge4j.examples;

import java.io.PrintWriter;

/**
 * Runs {@link Quickstart} with its defaults ({@code --full} for whole splits).
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.QuickstartMain [--full]}
 */
public final class QuickstartMain {

    private QuickstartMain() {}

    /** @param args {@code --full} to use whole splits */
    public static void main(String[] args) throws Exception {
        Quickstart.Options o = Quickstart.Options.defaults();
        if (args.length > 0 && args[0].equals("--full")) {
            o = o.full();
        }
        Quickstart.run(o, new PrintWriter(System.out, true));
    }
}
