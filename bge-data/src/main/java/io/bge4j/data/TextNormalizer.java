package io.bge4j.data;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one definition of "the same text" used across bge-data: Unicode NFKC, lower case (root
 * locale), every run of whitespace collapsed to one space, leading and trailing whitespace removed.
 * Samplers use it to recognise a positive that reappears in the corpus with different spacing or
 * case; the batch composer uses it to keep a batch free of duplicate texts.
 *
 * <p>Usage: {@code TextNormalizer.normalize("  Hello\tWORLD ")} returns {@code "hello world"}.
 */
public final class TextNormalizer {

    private TextNormalizer() {
    }

    /**
     * @param text any text, not null
     * @return its normalised form
     */
    public static String normalize(String text) {
        String s = Normalizer.isNormalized(text, Normalizer.Form.NFKC)
                ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = s.toLowerCase(Locale.ROOT);
        StringBuilder sb = null;
        int n = s.length();
        boolean pendingSpace = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ws = Character.isWhitespace(c) || Character.isSpaceChar(c);
            if (sb == null) {
                // fast path: stay on the original string while it needs no change
                boolean alreadyClean = !ws || (c == ' ' && i > 0 && i < n - 1
                        && !isSpace(s.charAt(i - 1)) && !isSpace(s.charAt(i + 1)));
                if (alreadyClean) {
                    continue;
                }
                sb = new StringBuilder(n);
                sb.append(s, 0, i);
                if (!ws) {
                    sb.append(c);
                    continue;
                }
            }
            if (ws) {
                pendingSpace = sb.length() > 0;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
