package io.bge4j.eval.report;

import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.MetricType;
import io.bge4j.eval.QueryChange;
import io.bge4j.eval.Run;
import io.bge4j.eval.ScoredDoc;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the HTML and Markdown comparison pages show, computed once: the metric grid and the query details. */
final class ComparisonView {

    static final int SNIPPET = 180;

    /** The metric grid: one row per measure, one column per cutoff. */
    record Grid(List<MetricType> rows, List<Integer> cutoffs, Map<MetricType, Map<Integer, MetricComparison>> cells) {
        MetricComparison cell(MetricType t, int k) {
            return cells.getOrDefault(t, Map.of()).get(k);
        }
    }

    /** One retrieved document. */
    record Hit(int rank, String docId, double score, boolean relevant, String text) {}

    /** A relevant document. */
    record Relevant(String docId, int grade, String text, int rankBefore, int rankAfter) {}

    /** One changed query with the documents that explain the change. */
    record Detail(QueryChange change, List<Relevant> relevant, List<Hit> before, List<Hit> after) {}

    private ComparisonView() {}

    static Grid grid(Comparison c) {
        TreeSet<Integer> cutoffs = new TreeSet<>();
        Map<MetricType, Map<Integer, MetricComparison>> cells = new TreeMap<>();
        for (MetricComparison mc : c.metrics()) {
            cutoffs.add(mc.metric().k());
            cells.computeIfAbsent(mc.metric().type(), t -> new TreeMap<>()).put(mc.metric().k(), mc);
        }
        return new Grid(new ArrayList<>(cells.keySet()), new ArrayList<>(cutoffs), cells);
    }

    static List<Detail> details(ComparisonReport r, List<QueryChange> changes) {
        List<Detail> out = new ArrayList<>();
        for (QueryChange q : changes) {
            Map<String, Integer> judged = r.qrels() == null ? Map.of() : r.qrels().judgements(q.queryId());
            List<Hit> before = hits(r, r.baseRun(), q.queryId(), judged);
            List<Hit> after = hits(r, r.tunedRun(), q.queryId(), judged);
            List<Relevant> rel = new ArrayList<>();
            judged.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(3)
                    .forEach(e -> rel.add(new Relevant(e.getKey(), e.getValue(), text(r, e.getKey()),
                            rank(r.baseRun(), q.queryId(), e.getKey()), rank(r.tunedRun(), q.queryId(), e.getKey()))));
            out.add(new Detail(q, rel, before, after));
        }
        return out;
    }

    private static List<Hit> hits(ComparisonReport r, Run run, String queryId, Map<String, Integer> judged) {
        if (run == null || !run.contains(queryId)) {
            return List.of();
        }
        List<ScoredDoc> ranking = run.ranking(queryId);
        List<Hit> out = new ArrayList<>();
        for (int i = 0; i < Math.min(r.topDocuments(), ranking.size()); i++) {
            ScoredDoc d = ranking.get(i);
            out.add(new Hit(i + 1, d.docId(), d.score(), judged.getOrDefault(d.docId(), 0) > 0, text(r, d.docId())));
        }
        return Collections.unmodifiableList(out);
    }

    /** @return 1-based rank of the document in the run's ranking, 0 when not retrieved, -1 without a run */
    private static int rank(Run run, String queryId, String docId) {
        if (run == null) {
            return -1;
        }
        if (!run.contains(queryId)) {
            return 0;
        }
        List<ScoredDoc> ranking = run.ranking(queryId);
        for (int i = 0; i < ranking.size(); i++) {
            if (ranking.get(i).docId().equals(docId)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String text(ComparisonReport r, String docId) {
        if (r.corpus() == null) {
            return "";
        }
        return r.corpus().byId(docId).map(CorpusDocument::fullText).map(ComparisonView::snippet).orElse("");
    }

    static String snippet(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() <= SNIPPET ? t : t.substring(0, SNIPPET - 1) + "…";
    }

    /** @return "improved", "degraded" or "undecided": whether the interval of the delta excludes 0 */
    static String verdict(MetricComparison mc) {
        if (mc.ciLow() > 0) {
            return "improved";
        }
        if (mc.ciHigh() < 0) {
            return "degraded";
        }
        return "undecided";
    }
}
