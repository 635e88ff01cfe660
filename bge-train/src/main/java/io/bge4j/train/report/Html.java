package io.bge4j.train.report;

/** HTML escaping for element content and attribute values. */
final class Html {
    private Html() {}

    static String esc(String s) {
        return io.bge4j.core.HtmlEscaper.escape(s);
    }
}
