package io.bge4j.eval.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small inline-SVG charts of the comparison page's mining section. */
final class Charts {

    static final String POSITIVE = "#188038";
    static final String NEGATIVE = "#d93025";
    static final String COUNT = "#5f6368";

    private Charts() {}

    /** Vertical bars: value → count (e.g. negatives per query → number of queries). */
    static String counts(Map<Integer, Integer> counts, String xLabel, String yLabel) {
        int w = 420;
        int h = 200;
        int left = 40;
        int bottom = 34;
        int top = 14;
        int pw = w - left - 10;
        int ph = h - top - bottom;
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        int n = Math.max(1, counts.size());
        double slot = (double) pw / n;
        StringBuilder svg = open(w, h, yLabel + " by " + xLabel);
        int i = 0;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            double bh = ph * e.getValue() / (double) max;
            double x = left + i * slot + slot * 0.15;
            svg.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(top + ph - bh)).append("\" width=\"")
                    .append(num(slot * 0.7)).append("\" height=\"").append(num(bh)).append("\" fill=\"").append(COUNT)
                    .append("\"><title>").append(e.getKey()).append(' ').append(xLabel).append(": ").append(e.getValue())
                    .append(' ').append(yLabel).append("</title></rect>")
                    .append("<text x=\"").append(num(x + slot * 0.35)).append("\" y=\"").append(num(top + ph - bh - 3))
                    .append("\" font-size=\"10\" text-anchor=\"middle\">").append(e.getValue()).append("</text>")
                    .append("<text x=\"").append(num(x + slot * 0.35)).append("\" y=\"").append(top + ph + 14)
                    .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">").append(e.getKey())
                    .append("</text>\n");
            i++;
        }
        svg.append("<text x=\"").append(left + pw / 2).append("\" y=\"").append(h - 4)
                .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">").append(HtmlReport.esc(xLabel))
                .append(" per query</text>\n");
        return svg.append("</svg>").toString();
    }

    /**
     * Overlaid histograms of positive and negative scores on one shared axis of 20 bins (positives
     * drawn only when given); each series is scaled to its own maximum so both shapes are visible.
     */
    static String scoreHistogram(List<Double> positives, List<Double> negatives) {
        int w = 420;
        int h = 200;
        int left = 14;
        int top = 22;
        int bottom = 34;
        int pw = w - left - 14;
        int ph = h - top - bottom;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<Double> l : List.of(positives, negatives)) {
            for (double d : l) {
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
        }
        if (hi <= lo) {
            hi = lo + 1e-6;
        }
        int bins = 20;
        StringBuilder svg = open(w, h, "distribution of retrieval scores");
        int[] neg = bin(negatives, lo, hi, bins);
        int[] pos = bin(positives, lo, hi, bins);
        bars(svg, neg, NEGATIVE, left, top, pw, ph, lo, hi, "negatives");
        if (!positives.isEmpty()) {
            bars(svg, pos, POSITIVE, left, top, pw, ph, lo, hi, "positives");
        }
        svg.append("<rect x=\"").append(left).append("\" y=\"4\" width=\"10\" height=\"10\" fill=\"").append(NEGATIVE)
                .append("\" fill-opacity=\"0.55\"/><text x=\"").append(left + 14)
                .append("\" y=\"13\" font-size=\"11\">negatives (").append(negatives.size()).append(", mean ")
                .append(fmt(mean(negatives))).append(")</text>");
        if (!positives.isEmpty()) {
            svg.append("<rect x=\"").append(left + 210).append("\" y=\"4\" width=\"10\" height=\"10\" fill=\"")
                    .append(POSITIVE).append("\" fill-opacity=\"0.55\"/><text x=\"").append(left + 224)
                    .append("\" y=\"13\" font-size=\"11\">positives (").append(positives.size()).append(", mean ")
                    .append(fmt(mean(positives))).append(")</text>");
        }
        svg.append('\n');
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            svg.append("<text x=\"").append(num(left + pw * t / 4.0)).append("\" y=\"").append(top + ph + 14)
                    .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">").append(fmt(v))
                    .append("</text>");
        }
        svg.append("<text x=\"").append(left + pw / 2).append("\" y=\"").append(h - 4)
                .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">score</text>\n");
        return svg.append("</svg>").toString();
    }

    /** Counts per bin of [lo, hi] cut into {@code bins} equal parts; the top edge falls into the last bin. */
    static int[] bin(List<Double> values, double lo, double hi, int bins) {
        int[] out = new int[bins];
        for (double v : values) {
            int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
            out[Math.max(0, Math.min(bins - 1, b))]++;
        }
        return out;
    }

    private static void bars(StringBuilder svg, int[] counts, String colour, int left, int top, int pw, int ph,
            double lo, double hi, String name) {
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        double bw = (double) pw / counts.length;
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] == 0) {
                continue;
            }
            double bh = ph * counts[b] / (double) max;
            svg.append("<rect x=\"").append(num(left + b * bw)).append("\" y=\"").append(num(top + ph - bh))
                    .append("\" width=\"").append(num(bw - 1)).append("\" height=\"").append(num(bh))
                    .append("\" fill=\"").append(colour).append("\" fill-opacity=\"0.55\"><title>").append(name)
                    .append(' ').append(fmt(lo + (hi - lo) * b / counts.length)).append("–")
                    .append(fmt(lo + (hi - lo) * (b + 1) / counts.length)).append(": ").append(counts[b])
                    .append("</title></rect>\n");
        }
    }

    private static StringBuilder open(int w, int h, String label) {
        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"")
                .append(HtmlReport.esc(label)).append("\">\n");
        return svg;
    }

    private static double mean(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "n/a";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
