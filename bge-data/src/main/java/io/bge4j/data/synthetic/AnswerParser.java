package io.bge4j.data.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.data.TextNormalizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an LLM's answer into a list of queries, whatever shape the model chose: a JSON array of
 * strings or of objects ({@code {"query": ...}}), a JSON object holding such an array, a numbered
 * list ({@code 1.}, {@code 1)}, {@code (1)}, {@code 1、}), a bulleted list ({@code -}, {@code *},
 * {@code •}), {@code Query 1:} labels, or plain lines, with code fences, a preamble ("Here are three
 * queries:") and closing remarks around it. When some lines carry list markers, unmarked lines are
 * treated as stray text and dropped. Each query loses surrounding quotes and Markdown emphasis;
 * empty ones and repeats (after {@link TextNormalizer}) are dropped; order is kept.
 *
 * <p>Usage: {@code List<String> qs = AnswerParser.parse("1. reset password\n2. \"forgot login\"", 5);}
 */
public final class AnswerParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MARKER = Pattern.compile(
            "^\\s*(?:\\(?\\d{1,3}\\s*[.)、:：\\]]|\\(\\d{1,3}\\)|[-*•·+]|(?:query|question|q)\\s*\\d{0,3}\\s*[:：.)-]"
                    + "|(?:查询|问题)\\s*\\d{0,3}\\s*[:：.、])\\s*",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final String[] OBJECT_KEYS = {"query", "question", "text", "q"};

    private AnswerParser() {
    }

    /**
     * @param answer the raw answer text (null gives no queries)
     * @param max the most queries to return (the first ones win)
     * @return the queries, at most {@code max}
     */
    public static List<String> parse(String answer, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, was " + max);
        }
        if (answer == null) {
            return List.of();
        }
        String text = stripFences(answer.strip());
        List<String> raw = fromJson(text.strip());
        if (raw == null) {
            raw = fromLines(text);
        }
        Set<String> seen = new LinkedHashSet<>();
        List<String> out = new ArrayList<>();
        for (String r : raw) {
            String q = clean(r);
            if (q.isEmpty() || !seen.add(TextNormalizer.normalize(q))) {
                continue;
            }
            if (out.size() == max) {
                break;
            }
            out.add(q);
        }
        return List.copyOf(out);
    }

    private static String stripFences(String s) {
        // keep what is inside the first fenced block, if any
        int open = s.indexOf("```");
        if (open < 0) {
            return s;
        }
        int lineEnd = s.indexOf('\n', open);
        if (lineEnd < 0) {
            return s.replace("```", "");
        }
        int close = s.indexOf("```", lineEnd);
        return close < 0 ? s.substring(lineEnd + 1) : s.substring(lineEnd + 1, close);
    }

    private static List<String> fromJson(String s) {
        int arr = s.indexOf('[');
        int obj = s.indexOf('{');
        List<int[]> spans = new ArrayList<>();
        if (arr >= 0 && s.lastIndexOf(']') > arr) {
            spans.add(new int[] {arr, s.lastIndexOf(']')});
        }
        if (obj >= 0 && s.lastIndexOf('}') > obj) {
            spans.add(new int[] {obj, s.lastIndexOf('}')});
        }
        spans.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int[] span : spans) {
            JsonNode node;
            try {
                node = JSON.readTree(s.substring(span[0], span[1] + 1));
            } catch (IOException e) {
                continue;
            }
            List<String> out = new ArrayList<>();
            collect(node, out, 0);
            // an answer that is nothing but JSON means what it says, even when it holds no query
            if (!out.isEmpty() || (span[0] == 0 && span[1] == s.length() - 1)) {
                return out;
            }
        }
        return null;
    }

    private static void collect(JsonNode node, List<String> out, int depth) {
        if (node == null || depth > 3) {
            return;
        }
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                collect(n, out, depth + 1);
            }
        } else if (node.isObject()) {
            for (String k : OBJECT_KEYS) {
                JsonNode v = node.get(k);
                if (v != null && v.isTextual()) {
                    out.add(v.asText());
                    return;
                }
            }
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                JsonNode v = it.next().getValue();
                if (v.isArray() || (v.isTextual() && depth > 0) || v.isObject()) {
                    collect(v, out, depth + 1);
                }
            }
        }
    }

    private static List<String> fromLines(String s) {
        List<String> marked = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        for (String line : s.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty()) {
                continue;
            }
            Matcher m = MARKER.matcher(t);
            if (m.lookingAt() && m.end() < t.length()) {
                marked.add(t.substring(m.end()));
            } else if (!isPreamble(t)) {
                plain.add(t);
            }
        }
        return marked.isEmpty() ? plain : marked;
    }

    private static boolean isPreamble(String line) {
        return line.endsWith(":") || line.endsWith("：");
    }

    private static String clean(String q) {
        String s = q.strip();
        boolean changed = true;
        while (changed && !s.isEmpty()) {
            changed = false;
            for (String[] pair : new String[][] {{"**", "**"}, {"__", "__"}, {"\"", "\""}, {"'", "'"}, {"“", "”"},
                    {"「", "」"}, {"『", "』"}, {"`", "`"}, {"*", "*"}}) {
                if (s.length() >= pair[0].length() + pair[1].length() && s.startsWith(pair[0])
                        && s.endsWith(pair[1])) {
                    s = s.substring(pair[0].length(), s.length() - pair[1].length()).strip();
                    changed = true;
                }
            }
            if (s.endsWith(",") && !s.endsWith(",,")) {
                s = s.substring(0, s.length() - 1).strip();
                changed = true;
            }
        }
        return s.replaceAll("\\s+", " ");
    }
}
