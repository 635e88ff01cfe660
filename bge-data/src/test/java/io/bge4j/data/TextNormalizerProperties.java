package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class TextNormalizerProperties {

    /** The obvious, slow definition: split on any whitespace or space separator, join with one space. */
    private static String reference(String s) {
        String t = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (char c : t.toCharArray()) {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                if (cur.length() > 0) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            words.add(cur.toString());
        }
        return String.join(" ", words);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("aB \t\n\u00A0\u3000ＡéE\u0301x").ofMaxLength(12);
    }

    @Property(tries = 200)
    void matchesTheReferenceDefinition(@ForAll("texts") String s) {
        assertEquals(reference(s), TextNormalizer.normalize(s));
    }

    @Property(tries = 100)
    void isIdempotent(@ForAll("texts") String s) {
        String once = TextNormalizer.normalize(s);
        assertEquals(once, TextNormalizer.normalize(once));
    }
}
