package io.bge4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.DataFormatException;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynonymAugmenterTest {

    static final Map<String, List<String>> DICT = Map.of("laptop", List.of("notebook"), "wifi", List.of("wireless"),
            "笔记本", List.of("手提电脑"), "app", List.of("application"), "wifi password", List.of("wlan key"));

    static TrainingExample real(String q) {
        return TrainingExample.builder().query(q).positives(List.of("p")).source("real").build();
    }

    @Test
    void replacesWholeWordsCaseInsensitivelyAndChineseAnywhere() {
        SynonymAugmenter a = SynonymAugmenter.builder().dictionary(DICT).build();
        SplittableRandom rnd = new SplittableRandom(1);
        assertEquals("My notebook wireless application; laptops apps happy", a.rewrite("My LAPTOP wifi app; laptops apps happy", rnd));
        assertEquals("手提电脑连不上wireless", a.rewrite("笔记本连不上wifi", rnd));
        assertEquals("手提电脑电脑 wlan key", a.rewrite("笔记本电脑 wifi password", rnd), "longest term wins");
        assertEquals("wifi2 xwifi", a.rewrite("wifi2 xwifi", rnd));
    }

    @Test
    void producesTaggedNewExamplesOnlyWhenSomethingChanged() {
        TrainingSet in = TrainingSet.of("real", List.of(real("laptop wifi slow"), real("nothing to swap here")));
        TrainingSet out = SynonymAugmenter.builder().dictionary(DICT).build().augment(in);
        assertEquals("real+synonym", out.name());
        assertEquals(1, out.size());
        TrainingExample e = out.get(0);
        assertEquals("notebook wireless slow", e.query());
        assertEquals(List.of("p"), e.positives());
        assertEquals("real+synonym", e.source());
        assertEquals("synonym", e.type());
        assertTrue(AugmentTags.isAugmented(e, SynonymAugmenter.TAG));
    }

    @Test
    void seededVariantsAreDistinctAndReproducible() {
        Map<String, List<String>> d = Map.of("wifi", List.of("wireless", "wlan"));
        TrainingSet in = TrainingSet.of("real", List.of(real("wifi drops"), real("fix wifi")));
        SynonymAugmenter a = SynonymAugmenter.builder().dictionary(d).variantsPerExample(2).seed(5).build();
        TrainingSet out = a.augment(in);
        assertEquals(Set.of("wireless drops", "wlan drops", "fix wireless", "fix wlan"),
                out.stream().map(TrainingExample::query).collect(Collectors.toSet()));
        assertEquals(out.examples(), a.augment(in).examples());
    }

    @Test
    void readsTsvDictionaryAndReportsBadLines(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.tsv");
        Files.writeString(ok, "# term\talternatives\nlaptop\tnotebook\tnb\n\nwifi\twireless\nlaptop\tportable\n");
        assertEquals(Map.of("laptop", List.of("notebook", "nb", "portable"), "wifi", List.of("wireless")),
                SynonymAugmenter.readDictionary(ok));
        Path bad = dir.resolve("bad.tsv");
        Files.writeString(bad, "laptop\tnotebook\nwifi wireless\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> SynonymAugmenter.readDictionary(bad));
        assertTrue(e.getMessage().contains("bad.tsv:2"), e.getMessage());
    }
}
