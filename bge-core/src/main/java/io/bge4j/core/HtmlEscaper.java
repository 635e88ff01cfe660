package io.bge4j.core;

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values ({@code < > & " '}),
 * the one implementation behind every HTML page bge4j writes (evaluation reports, training reports, data-mix
 * sections).
 *
 * <p>Usage: {@code sb.append("<td>").append(HtmlEscaper.escape(query)).append("</td>");}
 */
public final class HtmlEscaper {

    private HtmlEscaper() {}

    /**
     * @param s any text
     * @return the text with {@code <}, {@code >}, {@code &}, {@code "} and {@code '} replaced by entities
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
