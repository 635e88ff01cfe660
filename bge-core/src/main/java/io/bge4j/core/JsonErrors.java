package io.bge4j.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/**
 * Turns a JSON parser failure into a message for people: what the parser expected and where (line
 * and column), without the parser's internal source description ({@code [Source: REDACTED ...]}).
 *
 * <p>Usage: {@code throw new ModelFormatException(file + ": not valid JSON: " + JsonErrors.describe(e), e);}
 */
public final class JsonErrors {

    private JsonErrors() {}

    /**
     * Describes a read failure.
     *
     * @param e the failure (a Jackson parse error or any other I/O error)
     * @return e.g. {@code "Unexpected end-of-input: expected close marker for Object at line 3, column 1"}
     */
    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            String msg = withoutSource(j);
            JsonLocation loc = j.getLocation();
            if (loc != null && loc.getLineNr() > 0) {
                msg += " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            }
            return msg;
        }
        return e.getMessage();
    }

    /**
     * The parser's own message without the source description and location it may embed.
     *
     * @param e a Jackson parse error
     * @return e.g. {@code "Unexpected end-of-input: expected close marker for Object"}
     */
    public static String withoutSource(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        // e.g. "... for Object (start marker at [Source: REDACTED (...); line: 1, column: 1])"
        int src = msg.indexOf("[Source:");
        if (src >= 0) {
            int open = msg.lastIndexOf('(', src);
            msg = msg.substring(0, open >= 0 ? open : src).strip();
        }
        return msg;
    }
}
