package io.bge4j.core;

/**
 * A model file (config.json, safetensors, ONNX, tokenizer) is missing, malformed or inconsistent.
 *
 * <p>Usage: {@code catch (ModelFormatException e) { System.err.println(e.getMessage()); }}
 */
public class ModelFormatException extends Bge4jException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file and what was expected */
    public ModelFormatException(String message) {
        super(message);
    }

    /**
     * @param message names the file and what was expected
     * @param cause the underlying failure
     */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
