package io.bge4j.data.quality;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits text into the units the quality filters count: a run of letters/digits of a spaced script
 * (Latin, Cyrillic, ...) is one lower-cased unit; every Han, Hiragana, Katakana or Hangul
 * character is a unit of its own (those scripts are written without spaces); everything else
 * separates units. Also answers which script dominates a text.
 *
 * <p>Usage: {@code TextUnits.units("Install apt 软件包")} returns {@code [install, apt, 软, 件, 包]}.
 */
public final class TextUnits {

    private TextUnits() {
    }

    /**
     * The scripts {@link #dominantScript(String)} tells apart.
     *
     * <p>Usage: {@code boolean zh = TextUnits.dominantScript(q) == TextUnits.Script.HAN;}
     */
    public enum Script {
        /** Mostly Han (Chinese characters, also kana/hangul counted here as unspaced CJK). */
        HAN,
        /** Mostly letters of spaced scripts (Latin and the like). */
        LATIN,
        /** No letters at all (digits, punctuation, empty). */
        NONE
    }

    /**
     * @param c a code point
     * @return whether it belongs to a script written without spaces (Han, kana, Hangul)
     */
    public static boolean isCjk(int c) {
        Character.UnicodeScript s = Character.UnicodeScript.of(c);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }

    /**
     * @param c a code point
     * @return whether it is a letter or digit of a spaced script (part of a word)
     */
    public static boolean isWordChar(int c) {
        return Character.isLetterOrDigit(c) && !isCjk(c);
    }

    /**
     * @param text any text
     * @return its units, in order
     */
    public static List<String> units(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (isCjk(c)) {
                flush(word, out);
                out.add(new String(Character.toChars(c)));
            } else if (Character.isLetterOrDigit(c)) {
                word.appendCodePoint(c);
            } else {
                flush(word, out);
            }
        }
        flush(word, out);
        return out;
    }

    /**
     * @param text any text
     * @return its distinct units
     */
    public static Set<String> unitSet(String text) {
        return new LinkedHashSet<>(units(text));
    }

    /**
     * @param text any text
     * @return CJK characters / (CJK characters + other letters); 0 when there are no letters
     */
    public static double cjkRatio(String text) {
        int cjk = 0;
        int other = 0;
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (isCjk(c)) {
                cjk++;
            } else if (Character.isLetter(c)) {
                other++;
            }
        }
        return cjk + other == 0 ? 0 : (double) cjk / (cjk + other);
    }

    /**
     * A text is {@link Script#HAN} when at least 30% of its letters are CJK characters (a Chinese
     * sentence that mentions a product name is still Chinese), {@link Script#LATIN} when it has
     * letters otherwise, {@link Script#NONE} without letters.
     *
     * @param text any text
     * @return its dominant script
     */
    public static Script dominantScript(String text) {
        boolean anyLetter = text.codePoints().anyMatch(Character::isLetter);
        if (!anyLetter) {
            return Script.NONE;
        }
        return cjkRatio(text) >= 0.3 ? Script.HAN : Script.LATIN;
    }

    /**
     * @param a a set
     * @param b another set
     * @return |a ∩ b| / |a ∪ b|; 1 when both are empty
     */
    public static double jaccard(Set<?> a, Set<?> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        Set<?> small = a.size() <= b.size() ? a : b;
        Set<?> large = small == a ? b : a;
        int inter = 0;
        for (Object o : small) {
            if (large.contains(o)) {
                inter++;
            }
        }
        return (double) inter / (a.size() + b.size() - inter);
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (word.length() > 0) {
            out.add(word.toString().toLowerCase(Locale.ROOT));
            word.setLength(0);
        }
    }
}
