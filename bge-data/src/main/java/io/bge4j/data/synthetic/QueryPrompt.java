package io.bge4j.data.synthetic;

import java.util.List;

/**
 * The text of the few-shot generation prompt. Kept in one place so that the exact wording is
 * tested, and so that changing it changes every cache key (old answers are not reused for a new
 * prompt).
 *
 * <p>Usage: {@code String p = QueryPrompt.build(pairs, passage, 3, 600);}
 */
public final class QueryPrompt {

    private QueryPrompt() {
    }

    /**
     * @param examples the real pairs to imitate (may be empty)
     * @param passage the passage to write queries for
     * @param n how many queries to ask for
     * @param maxPassageChars passages (examples and target) longer than this are cut and end in "…"
     * @return the prompt text
     */
    public static String build(List<FewShotPair> examples, String passage, int n, int maxPassageChars) {
        StringBuilder sb = new StringBuilder();
        sb.append("You write search queries the way real users type them.\n");
        if (!examples.isEmpty()) {
            sb.append("Below are real queries from our users, each with the passage it found. Copy their style: ")
                    .append("their length, wording, tone, casing, typos and language. ")
                    .append("Do not write more formally or more completely than they do.\n");
            for (int i = 0; i < examples.size(); i++) {
                FewShotPair p = examples.get(i);
                sb.append("\nExample ").append(i + 1).append("\nPassage: ")
                        .append(cut(p.passage(), maxPassageChars)).append("\nQuery: ").append(oneLine(p.query()))
                        .append('\n');
            }
            sb.append('\n');
        }
        sb.append("Write ").append(n).append(n == 1 ? " query" : " different queries")
                .append(" that such a user would type and that the following passage answers. ")
                .append("Do not copy sentences from the passage.\nPassage: ").append(cut(passage, maxPassageChars))
                .append("\n\nAnswer with a JSON array of ").append(n).append(n == 1 ? " string" : " strings")
                .append(" and nothing else.");
        return sb.toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    private static String cut(String s, int max) {
        String t = oneLine(s);
        if (t.length() <= max) {
            return t;
        }
        int end = max;
        if (Character.isHighSurrogate(t.charAt(end - 1))) {
            end--;
        }
        return t.substring(0, end) + "…";
    }
}
