package io.bge4j.data.synthetic;

import io.bge4j.core.Bge4jException;

/**
 * An LLM call failed: the server refused it (bad key, unknown model), kept failing after the
 * allowed retries, did not answer in time, or answered something that is not a chat completion.
 *
 * <p>Usage: {@code catch (LlmException e) { if (e.statusCode() == 401) askForKey(); }}
 */
public class LlmException extends Bge4jException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;

    /**
     * @param message what went wrong and how to fix it
     * @param statusCode the HTTP status, or -1 when there was no response
     * @param cause the underlying failure, or null
     */
    public LlmException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /** @return the HTTP status of the last response, or -1 when none arrived (timeout, connection refused) */
    public int statusCode() {
        return statusCode;
    }
}
