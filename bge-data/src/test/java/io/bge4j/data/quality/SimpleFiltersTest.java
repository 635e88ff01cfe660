package io.bge4j.data.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimpleFiltersTest {

    static TrainingExample ex(String q, String p) {
        return TrainingExample.of(q, List.of(p), List.of());
    }

    @Test
    void unitsTreatHanCharactersAsWords() {
        assertEquals(List.of("install", "apt", "软", "件", "包", "v2"), TextUnits.units("Install APT-软件包 (v2)"));
        assertEquals(TextUnits.Script.HAN, TextUnits.dominantScript("如何安装 nginx"));
        assertEquals(TextUnits.Script.LATIN, TextUnits.dominantScript("install nginx 吧"));
        assertEquals(TextUnits.Script.NONE, TextUnits.dominantScript("123 ?!"));
    }

    @Test
    void lengthFilterCountsUnitsAndReportsReasons() {
        TrainingSet in = TrainingSet.of("s", List.of(ex("apt", "p p p"), ex("如何安装 nginx", "p p p"),
                ex("one two three four five six", "p p p"), ex("apt purge", "p")));
        FilterResult r = LengthFilter.builder().minQueryUnits(2).maxQueryUnits(5).minPositiveUnits(2).build().apply(in);
        assertEquals(List.of(in.get(1)), r.kept().examples());
        assertEquals("s", r.kept().name());
        FilterStep step = r.report().steps().get(0);
        assertEquals(4, step.input());
        assertEquals(1, step.kept());
        assertEquals(Map.of("query shorter than 2 units", 1, "query longer than 5 units", 1,
                "positive shorter than 2 units", 1), step.droppedByReason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LengthFilter.builder().minQueryUnits(5).maxQueryUnits(4).build());
        assertTrue(e.getMessage().startsWith("maxQueryUnits (4)"), e.getMessage());
    }

    @Test
    void languageFilterMatchesScriptOfPositiveOrExpected() {
        TrainingSet in = TrainingSet.of("s", List.of(ex("如何安装软件", "使用 apt install 安装软件包。"),
                ex("how to install software", "使用 apt install 安装软件包。"), ex("apt install", "apt installs"),
                ex("???", "apt installs")));
        FilterResult r = LanguageFilter.builder().build().apply(in);
        assertEquals(List.of(in.get(0), in.get(2)), r.kept().examples());
        assertEquals(Map.of("query script LATIN differs from positive script HAN", 1, "query has no letters", 1),
                r.report().steps().get(0).droppedByReason());
        FilterResult han = LanguageFilter.builder().expected(TextUnits.Script.HAN).build().apply(in);
        assertEquals(List.of(in.get(0)), han.kept().examples());
        assertEquals(2, han.report().steps().get(0).droppedByReason().get("query script LATIN, expected HAN"));
    }

    @Test
    void copyFilterMeasuresNgramOverlap() {
        String p = "apt remove deletes a package but keeps its configuration files";
        assertEquals(1.0, CopyFilter.overlap("apt remove deletes a package", p, 4));
        assertEquals(1.0 / 3, CopyFilter.overlap("apt remove deletes a big package", p, 4), 1e-12);
        assertEquals(0.0, CopyFilter.overlap("apt remove", p, 4));
        assertEquals(0.6, CopyFilter.overlap("如何删除软件包", "使用 apt 删除软件包的方法", 3), 1e-12);

        TrainingSet in = TrainingSet.of("s", List.of(ex("apt remove deletes a package", p),
                ex("apt remove deletes a big package", p), ex("remove package keep config files", p)));
        FilterResult dropped = CopyFilter.builder().ngram(4).threshold(0.3).build().apply(in);
        assertEquals(List.of(in.get(2)), dropped.kept().examples());
        assertEquals(2, dropped.report().steps().get(0).droppedByReason()
                .get("query copies its passage (4-gram overlap > 0.3)"));
        FilterResult flagged = CopyFilter.builder().ngram(4).threshold(0.5).flagOnly(true).build().apply(in);
        assertEquals(in.examples(), flagged.kept().examples());
        assertEquals(List.of(in.get(0)), flagged.flagged());
        assertEquals(1, flagged.report().steps().get(0).flagged());
        FilterResult onlySynthetic = CopyFilter.builder().threshold(0.3).appliesTo(e -> "synthetic".equals(e.type()))
                .build().apply(in);
        assertEquals(3, onlySynthetic.kept().size());
    }

    @Test
    void chainedFiltersConcatenateReports() {
        String p = "apt remove deletes a package but keeps its configuration files";
        TrainingSet in = TrainingSet.of("s", List.of(ex("apt", p), ex("apt remove deletes a package", p),
                ex("remove package keep config", p), ex("Remove  package keep CONFIG", p)));
        ExampleFilter chain = ExampleFilter.chain(List.of(LengthFilter.builder().minQueryUnits(2).build(),
                CopyFilter.builder().build(), Deduplicator.builder().build()));
        FilterResult r = chain.apply(in);
        assertEquals(List.of(in.get(2)), r.kept().examples());
        assertEquals(List.of("length", "copy", "dedup-query"),
                r.report().steps().stream().map(FilterStep::filter).toList());
        assertEquals(4, r.report().input());
        assertEquals(1, r.report().kept());
        assertEquals(3, r.report().dropped());
        assertEquals(List.of(3, 2, 1), r.report().steps().stream().map(FilterStep::kept).toList());
        assertTrue(r.report().toMarkdown().contains("| dedup-query | 2 | 1 | 0 | 1 | exact duplicate query: 1 |"),
                r.report().toMarkdown());
    }
}
