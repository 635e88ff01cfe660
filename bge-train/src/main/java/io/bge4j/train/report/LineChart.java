package io.bge4j.train.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small inline-SVG line chart: one or more series against the step, "nice" axis ticks, an optional
 * vertical marker (the best step), highlighted points and event marks (a diagnostic's step: a dotted line
 * with a triangle on the top edge and the event as its tooltip). Non-finite values leave a gap. Series longer
 * than {@link #MAX_POINTS} are thinned by keeping each bucket's minimum and maximum, so spikes survive.
 * Tick positions, tick labels and the data-to-pixel map are {@link ChartAxis}'s.
 */
final class LineChart {

    static final int MAX_POINTS = 2000;

    record Series(String name, String colour, double[] x, double[] y, boolean dashed, boolean points, double width) {}

    record Point(double x, double y, String label) {}

    /** An event at a step: {@code colour} line and triangle, {@code label} as the tooltip. */
    record Event(double x, String label, String colour) {}

    private final String title;
    private final List<Series> series = new ArrayList<>();
    private final List<Point> highlights = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private Double markerX;
    private String markerLabel;

    LineChart(String title) {
        this.title = title;
    }

    LineChart add(Series s) {
        series.add(s);
        return this;
    }

    LineChart markX(double x, String label) {
        this.markerX = x;
        this.markerLabel = label;
        return this;
    }

    LineChart event(double x, String label, String colour) {
        events.add(new Event(x, label, colour));
        return this;
    }

    LineChart highlight(double x, double y, String label) {
        highlights.add(new Point(x, y, label));
        return this;
    }

    String render(int width, int height) {
        int left = 64;
        int right = 14;
        int top = 40;
        int bottom = 34;
        int pw = width - left - right;
        int ph = height - top - bottom;
        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">\n");
        svg.append("<text x=\"").append(left).append("\" y=\"16\" font-size=\"13\" font-weight=\"600\">")
                .append(Html.esc(title)).append("</text>\n");
        // legend
        int lx = left;
        for (Series s : series) {
            svg.append("<line x1=\"").append(lx).append("\" y1=\"28\" x2=\"").append(lx + 16)
                    .append("\" y2=\"28\" stroke=\"").append(s.colour()).append("\" stroke-width=\"2.5\"")
                    .append(s.dashed() ? " stroke-dasharray=\"4 3\"" : "").append("/>")
                    .append("<text x=\"").append(lx + 20).append("\" y=\"32\" font-size=\"11\" fill=\"#3c4043\">")
                    .append(Html.esc(s.name())).append("</text>\n");
            lx += 28 + 6 * s.name().length();
        }
        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY;
        double ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    xmin = Math.min(xmin, s.x()[i]);
                    xmax = Math.max(xmax, s.x()[i]);
                    ymin = Math.min(ymin, s.y()[i]);
                    ymax = Math.max(ymax, s.y()[i]);
                }
            }
        }
        svg.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#dadce0\"/>\n");
        if (xmin > xmax) {
            svg.append("<text x=\"").append(left + pw / 2).append("\" y=\"").append(top + ph / 2)
                    .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5f6368\">no data</text>\n");
            return svg.append("</svg>").toString();
        }
        if (xmax == xmin) {
            xmin -= 1;
            xmax += 1;
        }
        if (ymax == ymin) {
            double pad = ymax == 0 ? 1 : Math.abs(ymax) * 0.1;
            ymin -= pad;
            ymax += pad;
        }
        double[] yt = ChartAxis.niceTicks(ymin, ymax, 5);
        double[] xt = ChartAxis.niceTicks(xmin, xmax, 6);
        double y0 = Math.min(ymin, yt[0]);
        double y1 = Math.max(ymax, yt[yt.length - 1]);
        double x0 = xmin;
        double x1 = xmax;
        ChartAxis.Scale sx = new ChartAxis.Scale(x0, x1, left, left + pw);
        ChartAxis.Scale sy = new ChartAxis.Scale(y0, y1, top + ph, top);
        for (double t : yt) {
            double y = sy.map(t);
            svg.append("<line x1=\"").append(left).append("\" y1=\"").append(num(y)).append("\" x2=\"")
                    .append(left + pw).append("\" y2=\"").append(num(y)).append("\" stroke=\"#eceff1\"/>")
                    .append("<text x=\"").append(left - 6).append("\" y=\"").append(num(y + 4))
                    .append("\" font-size=\"10\" text-anchor=\"end\" fill=\"#5f6368\">").append(ChartAxis.tick(t, yt))
                    .append("</text>\n");
        }
        for (double t : xt) {
            if (t < x0 - 1e-9 || t > x1 + 1e-9) {
                continue;
            }
            double x = sx.map(t);
            svg.append("<line x1=\"").append(num(x)).append("\" y1=\"").append(top + ph).append("\" x2=\"")
                    .append(num(x)).append("\" y2=\"").append(top + ph + 4).append("\" stroke=\"#9aa0a6\"/>")
                    .append("<text x=\"").append(num(x)).append("\" y=\"").append(top + ph + 16)
                    .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">")
                    .append(ChartAxis.tick(t, xt))
                    .append("</text>\n");
        }
        svg.append("<text x=\"").append(left + pw / 2).append("\" y=\"").append(height - 4)
                .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">step</text>\n");
        for (Event e : events) {
            if (!(e.x() >= x0 && e.x() <= x1)) {
                continue;
            }
            double x = sx.map(e.x());
            svg.append("<g class=\"event\"><title>").append(Html.esc(e.label())).append("</title><line x1=\"")
                    .append(num(x)).append("\" y1=\"").append(top).append("\" x2=\"").append(num(x)).append("\" y2=\"")
                    .append(top + ph).append("\" stroke=\"").append(e.colour())
                    .append("\" stroke-width=\"1\" stroke-dasharray=\"1 3\"/><path d=\"M").append(num(x - 4)).append(' ')
                    .append(top).append("L").append(num(x + 4)).append(' ').append(top).append("L").append(num(x))
                    .append(' ').append(top + 7).append("Z\" fill=\"").append(e.colour()).append("\"/></g>\n");
        }
        if (markerX != null && markerX >= x0 && markerX <= x1) {
            double x = sx.map(markerX);
            svg.append("<line class=\"best\" x1=\"").append(num(x)).append("\" y1=\"").append(top).append("\" x2=\"")
                    .append(num(x)).append("\" y2=\"").append(top + ph)
                    .append("\" stroke=\"#188038\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>")
                    .append("<text x=\"").append(num(x > left + 0.75 * pw ? x - 4 : x + 4)).append("\" y=\"")
                    .append(top + 12).append(x > left + 0.75 * pw ? "\" text-anchor=\"end" : "")
                    .append("\" font-size=\"10\" fill=\"#188038\">").append(Html.esc(markerLabel)).append("</text>\n");
        }
        for (Series s : series) {
            double[][] xy = decimate(s.x(), s.y(), MAX_POINTS);
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i <= xy[0].length; i++) {
                boolean ok = i < xy[0].length && Double.isFinite(xy[0][i]) && Double.isFinite(xy[1][i]);
                if (ok) {
                    pts.append(num(sx.map(xy[0][i]))).append(',').append(num(sy.map(xy[1][i]))).append(' ');
                } else if (pts.length() > 0) {
                    svg.append("<polyline fill=\"none\" stroke=\"").append(s.colour()).append("\" stroke-width=\"")
                            .append(num(s.width())).append("\" stroke-linejoin=\"round\"")
                            .append(s.dashed() ? " stroke-dasharray=\"4 3\"" : "").append(" points=\"")
                            .append(pts.toString().trim()).append("\"/>\n");
                    pts.setLength(0);
                }
            }
            if (s.points()) {
                for (int i = 0; i < s.x().length; i++) {
                    if (Double.isFinite(s.y()[i])) {
                        svg.append("<circle cx=\"").append(num(sx.map(s.x()[i]))).append("\" cy=\"")
                                .append(num(sy.map(s.y()[i]))).append("\" r=\"2.5\" fill=\"").append(s.colour())
                                .append("\"><title>").append(Html.esc(s.name())).append(" at step ")
                                .append(ChartAxis.tick(s.x()[i], xt)).append(": ").append(fixed(s.y()[i])).append("</title></circle>\n");
                    }
                }
            }
        }
        for (Point p : highlights) {
            double x = sx.map(p.x());
            double y = sy.map(p.y());
            svg.append("<circle class=\"best-point\" cx=\"").append(num(x)).append("\" cy=\"").append(num(y))
                    .append("\" r=\"5\" fill=\"none\" stroke=\"#188038\" stroke-width=\"2\"/>")
                    .append("<text x=\"").append(num(Math.min(x + 8, left + pw - 90))).append("\" y=\"")
                    .append(num(Math.max(y - 8, top + 24))).append("\" font-size=\"10\" fill=\"#188038\">")
                    .append(Html.esc(p.label())).append("</text>\n");
        }
        return svg.append("</svg>").toString();
    }

    /**
     * At most {@code max} points: unchanged when shorter, else the minimum and maximum of each of
     * {@code max / 2} equal buckets (by index), in index order.
     */
    static double[][] decimate(double[] x, double[] y, int max) {
        if (x.length <= max) {
            return new double[][] {x, y};
        }
        int buckets = max / 2;
        List<Integer> keep = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * x.length / buckets);
            int to = (int) ((long) (b + 1) * x.length / buckets);
            int lo = -1;
            int hi = -1;
            for (int i = from; i < to; i++) {
                if (!Double.isFinite(y[i])) {
                    continue;
                }
                if (lo < 0 || y[i] < y[lo]) {
                    lo = i;
                }
                if (hi < 0 || y[i] > y[hi]) {
                    hi = i;
                }
            }
            if (lo < 0) {
                keep.add(from); // a gap
                continue;
            }
            keep.add(Math.min(lo, hi));
            if (lo != hi) {
                keep.add(Math.max(lo, hi));
            }
        }
        double[] ox = new double[keep.size()];
        double[] oy = new double[keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            ox[i] = x[keep.get(i)];
            oy[i] = y[keep.get(i)];
        }
        return new double[][] {ox, oy};
    }

    /**
     * TensorBoard-style smoothing: an exponential moving average with weight {@code w}, debiased by
     * {@code 1 - w^t} so the first values are not pulled towards 0. Non-finite values are passed through
     * and do not enter the average.
     */
    static double[] smooth(double[] y, double w) {
        double[] out = new double[y.length];
        double last = 0;
        int t = 0;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) {
                out[i] = y[i];
                continue;
            }
            t++;
            last = last * w + (1 - w) * y[i];
            out[i] = last / (1 - Math.pow(w, t));
        }
        return out;
    }

    static String fixed(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return Math.abs(v) < 1e-3 && v != 0 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
