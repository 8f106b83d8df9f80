package neurosteer.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The paper's figures drawn from the experiment CSVs with JFreeChart, each written as PNG and SVG.
 * A figure whose CSV is absent is reported as not run, with the command that makes it.
 */
public final class Figures {
    static { System.setProperty("java.awt.headless", "true"); }

    public static final int WIDTH = 760, HEIGHT = 460;

    /** One figure: where its data comes from, how to make it, and (once drawn) its files and a one-line reading. */
    public record Figure(String id, String title, List<String> sources, String command, Path png, Path svg, String reading) {
        public boolean drawn() { return png != null; }
    }

    private Figures() {}

    /** Every figure of the report, drawn into {@code outDir} from {@code RUN/experiments/}. */
    public static List<Figure> drawAll(Path experiments, Path outDir) {
        List<Figure> out = new ArrayList<>();
        out.add(draw(experiments, outDir, "fig2-alpha-sweep", "Figure 2: accuracy while the selected neurons are scaled by α, against random neurons of equal count",
                List.of("sweep-alpha.csv"), "neurosteer sweep --param alpha --values 0,0.5,1,1.1,1.5 --run RUN", Figures::alphaSweep));
        out.add(draw(experiments, outDir, "fig3a-ratio-histogram", "Figure 3a: r between the quality classes, against r between two random halves of the high class",
                List.of("fig3a-ratio-histogram.csv", "fig3a-summary.csv"), "neurosteer analyze RUN", Figures::histogram));
        out.add(draw(experiments, outDir, "fig3b-per-layer", "Figure 3b: selected neurons per layer",
                List.of("fig3b-per-layer.csv"), "neurosteer analyze RUN", Figures::perLayer));
        out.add(draw(experiments, outDir, "fig4-overlap", "Figure 4: per layer, overlap of the selected neurons with the top p% most activated (by m⁺)",
                List.of("fig4-overlap.csv"), "neurosteer analyze RUN", Figures::overlap));
        out.add(draw(experiments, outDir, "fig5a-theta-sweep", "Figure 5a: accuracy against θ",
                List.of("sweep-theta.csv"), "neurosteer sweep --param theta --values 1.05,1.1,1.15,1.2,1.3 --run RUN", Figures::thetaSweep));
        out.add(draw(experiments, outDir, "fig5b-alpha-ours", "Figure 5b: accuracy against α (our neurons)",
                List.of("sweep-alpha.csv"), "neurosteer sweep --param alpha --values 0,0.5,1,1.1,1.5 --run RUN", Figures::alphaOurs));
        out.add(draw(experiments, outDir, "fig6-domains", "Figure 6: accuracy on every subject (columns) with one subject's specific neurons suppressed (rows)",
                List.of("fig6-domains.csv"), "neurosteer domains RUN", Figures::domainMatrix));
        return out;
    }

    /** A chart and its one-line reading. */
    record Drawn(JFreeChart chart, String reading) {}

    interface Builder { Drawn build(List<Csv> csvs); }

    static Figure draw(Path experiments, Path outDir, String id, String title, List<String> sources, String command, Builder b) {
        List<Csv> csvs = new ArrayList<>();
        for (String s : sources) {
            Path f = experiments.resolve(s);
            if (!Files.exists(f)) return new Figure(id, title, sources, command, null, null, null);
            csvs.add(Csv.read(f));
        }
        Drawn d = b.build(csvs);
        if (d == null) return new Figure(id, title, sources, command, null, null, null);
        style(d.chart());
        Path png = outDir.resolve(id + ".png"), svg = outDir.resolve(id + ".svg");
        write(d.chart(), png, svg);
        return new Figure(id, title, sources, command, png, svg, d.reading());
    }

    public static void write(JFreeChart chart, Path png, Path svg) {
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
            chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
            Files.writeString(svg, g.getSVGDocument(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        if (chart.getPlot() instanceof XYPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(new Color(0xdddddd));
            p.setRangeGridlinePaint(new Color(0xdddddd));
        } else if (chart.getPlot() instanceof org.jfree.chart.plot.CategoryPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(new Color(0xdddddd));
        }
    }

    static String pct(double v) { return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v); }

    static String shortTitle(String s) { return s; }

    // Figure 2: ours as a line, random as mean ± standard deviation over seeds with error bars.
    static Drawn alphaSweep(List<Csv> in) {
        Csv c = in.get(0);
        XYIntervalSeries ours = new XYIntervalSeries("ours");
        Map<Double, List<Double>> random = new TreeMap<>();
        int k = 0;
        for (List<String> r : c.rows()) {
            double a = c.number(r, "alpha"), acc = 100 * c.number(r, "accuracy");
            if (c.get(r, "set").equals("ours")) { ours.add(a, a, a, acc, acc, acc); k = (int) c.number(r, "k"); }
            else random.computeIfAbsent(a, x -> new ArrayList<>()).add(acc);
        }
        XYIntervalSeries rnd = new XYIntervalSeries("random (mean ± sd over seeds)");
        int seeds = 0;
        for (var e : random.entrySet()) {
            double[] ms = meanSd(e.getValue());
            seeds = Math.max(seeds, e.getValue().size());
            rnd.add(e.getKey(), e.getKey(), e.getKey(), ms[0], ms[0] - ms[1], ms[0] + ms[1]);
        }
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        data.addSeries(ours);
        if (rnd.getItemCount() > 0) data.addSeries(rnd);
        JFreeChart chart = errorChart("Accuracy vs α (K = " + k + ", " + seeds + " random seeds)", "α (scale of the neurons)", "accuracy (%)", data);
        String reading = "Suppressing (α = 0) our " + k + " neurons gives " + fmtAcc(ours, 0.0) + " against " + fmtRandom(random, 0.0)
                + " for random neurons; at α = 1.1 ours gives " + fmtAcc(ours, 1.1) + ".";
        return new Drawn(chart, reading);
    }

    static Drawn alphaOurs(List<Csv> in) {
        Csv c = in.get(0);
        XYSeries ours = new XYSeries("ours");
        double theta = Double.NaN;
        for (List<String> r : c.rows())
            if (c.get(r, "set").equals("ours")) { ours.add(c.number(r, "alpha"), 100 * c.number(r, "accuracy")); theta = c.number(r, "theta"); }
        JFreeChart chart = ChartFactory.createXYLineChart("Accuracy vs α at θ = " + Csv.num(theta), "α", "accuracy (%)", new XYSeriesCollection(ours),
                PlotOrientation.VERTICAL, true, false, false);
        lines(chart);
        return new Drawn(chart, "Best α on this run: " + best(ours) + ".");
    }

    static Drawn thetaSweep(List<Csv> in) {
        Csv c = in.get(0);
        XYSeries acc = new XYSeries("ours: accuracy (%)");
        XYSeries ks = new XYSeries("K (neurons selected)");
        double alpha = Double.NaN;
        for (List<String> r : c.rows()) {
            acc.add(c.number(r, "theta"), 100 * c.number(r, "accuracy"));
            ks.add(c.number(r, "theta"), c.number(r, "k"));
            alpha = c.number(r, "alpha");
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Accuracy vs θ (α = " + Csv.num(alpha) + ")", "θ (minimum r)", "accuracy (%)",
                new XYSeriesCollection(acc), PlotOrientation.VERTICAL, true, false, false);
        XYPlot p = chart.getXYPlot();
        NumberAxis kAxis = new NumberAxis("K (neurons)");
        p.setRangeAxis(1, kAxis);
        p.setDataset(1, new XYSeriesCollection(ks));
        p.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer r2 = new XYLineAndShapeRenderer(true, true);
        r2.setSeriesPaint(0, Color.GRAY);
        r2.setSeriesStroke(0, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {4f, 4f}, 0));
        p.setRenderer(1, r2);
        lines(chart);
        return new Drawn(chart, "Best θ on this run: " + best(acc) + "; K falls as θ rises.");
    }

    static Drawn histogram(List<Csv> in) {
        Csv c = in.get(0), s = in.get(1);
        XYSeries between = new XYSeries("between quality classes (r = m⁺/m⁻)");
        XYSeries control = new XYSeries("control: two random halves of the high class");
        double width = 0;
        for (List<String> r : c.rows()) {
            double mid = (c.number(r, "bin_low") + c.number(r, "bin_high")) / 2;
            width = c.number(r, "bin_high") - c.number(r, "bin_low");
            between.add(mid, c.number(r, "between_classes"));
            control.add(mid, c.number(r, "control_halves"));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(control);
        data.addSeries(between);
        data.setIntervalWidth(width);
        JFreeChart chart = ChartFactory.createXYBarChart("Histogram of r over all neurons", "r", false, "neurons", data, PlotOrientation.VERTICAL,
                true, false, false);
        XYBarRenderer br = (XYBarRenderer) chart.getXYPlot().getRenderer();
        br.setBarPainter(new StandardXYBarPainter());
        br.setShadowVisible(false);
        br.setSeriesPaint(0, new Color(120, 120, 120, 150));
        br.setSeriesPaint(1, new Color(31, 119, 180, 150));
        chart.getXYPlot().setForegroundAlpha(0.75f);
        Map<String, List<String>> sum = new LinkedHashMap<>();
        for (List<String> r : s.rows()) sum.put(s.get(r, "series"), r);
        String reading = "Control median r = " + s.get(sum.get("control_halves"), "median") + " ("
                + pct(s.number(sum.get("control_halves"), "within_5_percent_of_1")) + " of neurons within 5% of 1); between classes median r = "
                + s.get(sum.get("between_classes"), "median") + " (" + pct(s.number(sum.get("between_classes"), "within_5_percent_of_1")) + " within 5% of 1).";
        return new Drawn(chart, reading);
    }

    static Drawn perLayer(List<Csv> in) {
        Csv c = in.get(0);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<String> sets = c.header().subList(1, c.header().size());
        int[] ours = new int[c.rows().size()];
        for (List<String> r : c.rows())
            for (String set : sets) {
                if (!set.equals("ours") && !set.equals("top-activation") && !set.equals("wanda") && !set.equals("mathneuro")) continue;
                data.addValue(c.number(r, set), set, c.get(r, "layer"));
            }
        if (!sets.contains("ours")) return null;
        int best = 0, total = 0;
        for (int i = 0; i < c.rows().size(); i++) {
            ours[i] = (int) c.number(c.rows().get(i), "ours");
            total += ours[i];
            if (ours[i] > ours[best]) best = i;
        }
        JFreeChart chart = ChartFactory.createBarChart("Selected neurons per layer", "layer", "neurons", data, PlotOrientation.VERTICAL, true, false, false);
        return new Drawn(chart, "Our " + total + " neurons: most in layer " + c.get(c.rows().get(best), "layer") + " (" + ours[best] + ").");
    }

    static Drawn overlap(List<Csv> in) {
        Csv c = in.get(0);
        XYSeriesCollection data = new XYSeriesCollection();
        Map<Integer, XYSeries> byP = new TreeMap<>();
        Map<Integer, String> pooled = new TreeMap<>();
        for (List<String> r : c.rows()) {
            int p = (int) c.number(r, "top_percent");
            if (c.get(r, "layer").equals("all")) { pooled.put(p, c.get(r, "rate")); continue; }
            if (c.get(r, "rate").isEmpty()) continue;
            byP.computeIfAbsent(p, x -> new XYSeries("top " + x + "%")).add(c.number(r, "layer"), c.number(r, "rate"));
        }
        for (XYSeries s : byP.values()) data.addSeries(s);
        JFreeChart chart = ChartFactory.createXYLineChart("Overlap with the most activated neurons", "layer", "overlap rate (fraction of selected)", data,
                PlotOrientation.VERTICAL, true, false, false);
        lines(chart);
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setRange(0, 1.02);
        ((NumberAxis) chart.getXYPlot().getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        String first = pooled.isEmpty() ? "" : pooled.values().iterator().next(), last = pooled.isEmpty() ? "" : pooled.get(((TreeMap<Integer, String>) pooled).lastKey());
        return new Drawn(chart, "Over all layers, " + pct(parse(first)) + " of our neurons are in their layer's top 5% by m⁺ and "
                + pct(parse(last)) + " in the top 50%: selecting by r is not selecting the most active neurons.");
    }

    static Drawn domainMatrix(List<Csv> in) {
        Csv c = in.get(0);
        List<String> cols = c.header().subList(2, c.header().size());
        List<String> rowsNames = new ArrayList<>();
        List<double[]> cells = new ArrayList<>();
        for (List<String> r : c.rows()) rowsNames.add(c.get(r, "suppressed") + (c.get(r, "k").isEmpty() ? "" : " (K=" + c.get(r, "k") + ")"));
        int n = rowsNames.size() * cols.size();
        double[] xs = new double[n], ys = new double[n], zs = new double[n];
        int i = 0;
        List<XYTextAnnotation> labels = new ArrayList<>();
        for (int row = 0; row < c.rows().size(); row++)
            for (int col = 0; col < cols.size(); col++, i++) {
                double v = c.number(c.rows().get(row), cols.get(col));
                xs[i] = col;
                ys[i] = row;
                zs[i] = Double.isNaN(v) ? -1 : 100 * v;
                XYTextAnnotation a = new XYTextAnnotation(Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", 100 * v), col, row);
                a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                labels.add(a);
            }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("accuracy", new double[][] {xs, ys, zs});
        SymbolAxis x = new SymbolAxis("accuracy on subject", cols.toArray(String[]::new));
        SymbolAxis y = new SymbolAxis("suppressed: subject's specific neurons", rowsNames.toArray(String[]::new));
        y.setInverted(true);
        XYBlockRenderer r = new XYBlockRenderer();
        LookupPaintScale scale = new LookupPaintScale(-1, 100.0001, Color.LIGHT_GRAY);
        scale.add(-1, new Color(0xeeeeee));
        for (int step = 0; step < 20; step++) {
            float t = step / 19f;
            scale.add(step * 5.0, new Color(0.93f - 0.75f * t, 0.95f - 0.45f * t, 1f - 0.15f * t));
        }
        r.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, r);
        for (XYTextAnnotation a : labels) plot.addAnnotation(a);
        JFreeChart chart = new JFreeChart("Accuracy (%) with one subject's specific neurons suppressed (α = 0)", plot);
        chart.removeLegend();
        NumberAxis scaleAxis = new NumberAxis("accuracy (%)");
        scaleAxis.setRange(0, 100);
        PaintScaleLegend legend = new PaintScaleLegend(scale, scaleAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        return new Drawn(chart, "Rows: whose specific neurons are suppressed; columns: accuracy per subject; the diagonal is the suppressed subject itself, the first row the unsteered model.");
    }

    private static JFreeChart errorChart(String title, String x, String y, XYIntervalSeriesCollection data) {
        NumberAxis xAxis = new NumberAxis(x), yAxis = new NumberAxis(y);
        xAxis.setAutoRangeIncludesZero(false);
        yAxis.setAutoRangeIncludesZero(false);
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDefaultLinesVisible(true);
        r.setDrawXError(false);
        r.setDrawYError(true);
        r.setCapLength(6);
        r.setSeriesPaint(0, new Color(214, 39, 40));
        r.setSeriesPaint(1, new Color(90, 90, 90));
        r.setSeriesStroke(0, new BasicStroke(2f));
        r.setSeriesStroke(1, new BasicStroke(2f));
        return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, new XYPlot(data, xAxis, yAxis, r), true);
    }

    private static void lines(JFreeChart chart) {
        XYPlot p = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int s = 0; s < 12; s++) r.setSeriesStroke(s, new BasicStroke(2f));
        p.setRenderer(0, r);
        ((NumberAxis) p.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) p.getDomainAxis()).setAutoRangeIncludesZero(false);
    }

    private static double parse(String s) { return s == null || s.isEmpty() ? Double.NaN : Double.parseDouble(s); }

    static double[] meanSd(List<Double> v) {
        double m = 0;
        for (double x : v) m += x;
        m /= v.size();
        double ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        return new double[] {m, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0};
    }

    private static String fmtAcc(XYIntervalSeries s, double x) {
        for (int i = 0; i < s.getItemCount(); i++) if (s.getX(i).doubleValue() == x) return String.format(Locale.ROOT, "%.1f%%", s.getYValue(i));
        return "n/a (not in the sweep)";
    }

    private static String fmtRandom(Map<Double, List<Double>> random, double x) {
        List<Double> v = random.get(x);
        if (v == null) return "n/a";
        double[] ms = meanSd(v);
        return String.format(Locale.ROOT, "%.1f%% ± %.1f", ms[0], ms[1]);
    }

    private static String best(XYSeries s) {
        int b = -1;
        for (int i = 0; i < s.getItemCount(); i++) if (b < 0 || s.getY(i).doubleValue() > s.getY(b).doubleValue()) b = i;
        return b < 0 ? "n/a" : Csv.num(s.getX(b).doubleValue()) + String.format(Locale.ROOT, " (%.1f%%)", s.getY(b).doubleValue());
    }
}
