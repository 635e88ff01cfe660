package io.bge4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class AnswerParserProperties {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Format { NUMBERED_DOT, NUMBERED_PAREN, DASH, STAR, BULLET, QUOTED_NUMBERED, QUERY_LABEL, JSON_ARRAY,
        JSON_OBJECT, JSON_OBJECTS, PLAIN }

    @Provide
    Arbitrary<List<String>> queryLists() {
        Arbitrary<String> word = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> query = word.list().ofMinSize(1).ofMaxSize(5).map(ws -> String.join(" ", ws));
        return query.list().ofMinSize(1).ofMaxSize(6).uniqueElements();
    }

    static String render(List<String> qs, Format f, boolean preamble, boolean trailer, boolean fence,
            String indent) throws Exception {
        StringBuilder sb = new StringBuilder();
        switch (f) {
            case JSON_ARRAY -> sb.append(JSON.writeValueAsString(qs));
            case JSON_OBJECT -> sb.append(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("queries", qs)));
            case JSON_OBJECTS -> {
                List<Map<String, String>> objs = new ArrayList<>();
                qs.forEach(q -> objs.add(Map.of("query", q)));
                sb.append(JSON.writeValueAsString(objs));
            }
            default -> {
                for (int i = 0; i < qs.size(); i++) {
                    String q = qs.get(i);
                    sb.append(indent).append(switch (f) {
                        case NUMBERED_DOT -> (i + 1) + ". " + q;
                        case NUMBERED_PAREN -> (i + 1) + ")  " + q;
                        case DASH -> "- " + q;
                        case STAR -> "* **" + q + "**";
                        case BULLET -> "• " + q;
                        case QUOTED_NUMBERED -> (i + 1) + ". \"" + q + "\"";
                        case QUERY_LABEL -> "Query " + (i + 1) + ": " + q;
                        default -> q;
                    }).append(i % 2 == 0 ? "\n" : "\r\n");
                }
            }
        }
        String body = fence ? "```json\n" + sb + "\n```" : sb.toString();
        String pre = preamble ? "Here are the queries you asked for:\n\n" : "";
        // plain lines cannot tell a closing remark from a query, so only marked formats get one
        String post = trailer && f != Format.PLAIN ? "\nHope this helps!" : "";
        return pre + body + post;
    }

    @Property(tries = 300)
    void recoversQueriesFromMessyAnswers(@ForAll("queryLists") List<String> qs, @ForAll Format f,
            @ForAll boolean preamble, @ForAll boolean trailer, @ForAll boolean fence) throws Exception {
        String indent = f == Format.PLAIN ? "" : (qs.size() % 2 == 0 ? "  " : "");
        String answer = render(qs, f, preamble, trailer, fence, indent);
        assertEquals(qs, AnswerParser.parse(answer, 10), answer);
    }

    @Property(tries = 100)
    void keepsOnlyTheFirstMax(@ForAll("queryLists") List<String> qs, @ForAll Format f,
            @ForAll @IntRange(min = 0, max = 6) int max) throws Exception {
        String answer = render(qs, f, false, false, false, "");
        assertEquals(qs.subList(0, Math.min(max, qs.size())), AnswerParser.parse(answer, max), answer);
    }

    @Property(tries = 300)
    void neverFailsOnArbitraryText(@ForAll String answer) {
        List<String> out = AnswerParser.parse(answer, 4);
        assertTrue(out.size() <= 4);
        for (String q : out) {
            assertFalse(q.isBlank(), "blank query from " + answer);
        }
    }
}
