package io.bge4j.core;

/**
 * Root of every exception bge4j throws on purpose. Messages say what was expected and how to fix it.
 *
 * <p>Usage: {@code try { BgeModel.load(dir); } catch (Bge4jException e) { log.error(e.getMessage()); }}
 */
public class Bge4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, what was expected, how to fix it */
    public Bge4jException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, what was expected, how to fix it
     * @param cause the underlying failure
     */
    public Bge4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
