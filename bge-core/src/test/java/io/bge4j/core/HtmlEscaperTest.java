package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlEscaperTest {

    @Test
    void replacesTheFiveSpecialCharactersAndKeepsEverythingElse() {
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; é 中", HtmlEscaper.escape("a <b> & \"c\" 'd' é 中"));
        assertEquals("", HtmlEscaper.escape(""));
        assertEquals("&amp;amp;", HtmlEscaper.escape("&amp;"));
    }
}
