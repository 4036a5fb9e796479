package dev.sightline.bench.streamqa;

import dev.sightline.kv.PageFormat;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's PNG plots, drawn with java.awt (headless): per stream length, page format and stage setting, accuracy
 * against KV bytes at peak with one line per policy over the budgets and the full cache as a reference line; per
 * stream length, KV bytes held against stream time at one budget, one line per policy, with the full cache.
 */
final class EvalPlots {
    private static final int W = 900;
    private static final int H = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 230;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(218, 165, 32),
        new Color(188, 189, 34), new Color(23, 190, 207), new Color(0, 0, 128), new Color(128, 0, 0),
        new Color(0, 100, 0), new Color(255, 0, 255), new Color(90, 90, 0), new Color(0, 128, 128)};

    private EvalPlots() {
    }

    /** Writes every plot into {@code dir}; returns the file names. */
    static List<String> write(StreamQaEvaluation.Run run, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        EvalOptions o = run.options();
        for (int frames : run.fullCacheBytes().keySet()) {
            boolean main = frames == o.frames();
            List<EvalResult> rs = run.ofLength(frames);
            for (boolean s : main ? o.stages() : o.longStages()) {
                for (PageFormat f : main ? o.formats() : o.longFormats()) {
                    String name = "accuracy-vs-kv-" + frames + "s-stages-" + (s ? "on" : "off") + "-"
                            + f.name().toLowerCase(Locale.ROOT) + ".png";
                    ImageIO.write(accuracyPlot(run, rs, frames, f, s), "png", dir.resolve(name).toFile());
                    files.add(name);
                }
            }
            EvalBudget budget = o.budgets().stream().filter(EvalBudget::isFraction)
                    .min((a, b) -> Double.compare(Math.abs(a.fraction() - 0.25), Math.abs(b.fraction() - 0.25)))
                    .orElse(o.budgets().getFirst());
            String name = "kv-vs-time-" + frames + "s-" + budget.label().replace("%", "pct") + ".png";
            ImageIO.write(memoryPlot(run, rs, frames, budget), "png", dir.resolve(name).toFile());
            files.add(name);
        }
        return files;
    }

    private static BufferedImage accuracyPlot(StreamQaEvaluation.Run run, List<EvalResult> rs, int frames,
                                              PageFormat format, boolean stages) {
        long full = run.fullCacheBytes().get(frames);
        double xMax = 0.05;
        for (EvalResult r : rs) {
            if (r.ran() && r.config().format() == format && r.config().stages() == stages) {
                xMax = Math.max(xMax, (double) r.peakBytes() / full);
            }
        }
        Canvas c = new Canvas("StreamQA " + frames + " s, " + format.name().toLowerCase(Locale.ROOT)
                + " pages, stages " + (stages ? "on" : "off") + ": accuracy against KV bytes at peak",
                "KV bytes at peak (fraction of the F16 full cache, " + (full >> 10) + " KiB)", "accuracy (%)",
                0, xMax * 1.1, 0, 100);
        EvalTables.reference(rs, stages).ifPresent(d -> {
            c.hline(100 * d.accuracy(), Color.BLACK, "full cache " + EvalTables.pct(d.accuracy()) + "%");
        });
        EvalTables.find(rs, EvalConfig.NO_STREAM, null, PageFormat.F16, false).ifPresent(d -> {
            c.hline(100 * d.accuracy(), Color.LIGHT_GRAY, "no stream " + EvalTables.pct(d.accuracy()) + "%");
        });
        int i = 0;
        for (String policy : run.options().policies()) {
            List<double[]> pts = new ArrayList<>();
            for (EvalBudget b : run.options().budgets()) {
                EvalTables.find(rs, policy, b, format, stages).filter(EvalResult::ran)
                        .ifPresent(r -> pts.add(new double[] {(double) r.peakBytes() / full, 100 * r.accuracy()}));
            }
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            c.series(pts, PALETTE[i % PALETTE.length], policy, true);
            i++;
        }
        return c.image;
    }

    private static BufferedImage memoryPlot(StreamQaEvaluation.Run run, List<EvalResult> rs, int frames,
                                            EvalBudget budget) {
        long full = run.fullCacheBytes().get(frames);
        Canvas c = new Canvas("StreamQA " + frames + " s: KV memory against stream time (f16 pages, stages off, "
                + "budget " + budget.label() + ")", "stream time (s)", "KV bytes held (KiB, mean over streams)",
                0, frames, 0, full * 1.1 / 1024);
        c.hline(budget.bytesOf(full) / 1024.0, Color.RED, "budget " + budget.label());
        EvalTables.find(rs, EvalConfig.FULL, null, PageFormat.F16, false)
                .ifPresent(r -> c.series(timeline(r), Color.BLACK, "full cache (f16)", false));
        int i = 0;
        for (String policy : run.options().policies()) {
            int colour = i++;
            EvalTables.find(rs, policy, budget, PageFormat.F16, false).filter(EvalResult::ran)
                    .ifPresent(r -> c.series(timeline(r), PALETTE[colour % PALETTE.length], policy, false));
        }
        return c.image;
    }

    private static List<double[]> timeline(EvalResult r) {
        List<double[]> pts = new ArrayList<>();
        double[] t = r.timeline();
        for (int s = 0; s < t.length; s++) {
            pts.add(new double[] {s + 1, t[s] / 1024});
        }
        return pts;
    }

    /** A plot area with axes, ticks, title and a legend on the right. */
    private static final class Canvas {
        final BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        final double x0;
        final double x1;
        final double y0;
        final double y1;
        int legend;

        Canvas(String title, String xLabel, String yLabel, double x0, double x1, double y0, double y1) {
            this.x0 = x0;
            this.x1 = x1 > x0 ? x1 : x0 + 1;
            this.y0 = y0;
            this.y1 = y1 > y0 ? y1 : y0 + 1;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT - 40, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
            double xStep = niceStep((this.x1 - this.x0) / 5);
            for (double xv = Math.ceil(this.x0 / xStep) * xStep; xv <= this.x1 + 1e-9; xv += xStep) {
                int px = px(xv);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(px, TOP, px, H - BOTTOM);
                g.setColor(Color.BLACK);
                g.drawString(tick(xv), px - 12, H - BOTTOM + 16);
            }
            double yStep = niceStep((this.y1 - this.y0) / 5);
            for (double yv = Math.ceil(this.y0 / yStep) * yStep; yv <= this.y1 + 1e-9; yv += yStep) {
                int py = py(yv);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, py, W - RIGHT, py);
                g.setColor(Color.BLACK);
                g.drawString(tick(yv), LEFT - 45, py + 4);
            }
            g.drawString(xLabel, LEFT, H - 18);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(H - BOTTOM), 22);
            g.rotate(Math.PI / 2);
            legend = TOP + 10;
        }

        int px(double x) {
            return LEFT + (int) Math.round((x - x0) / (x1 - x0) * (W - LEFT - RIGHT));
        }

        int py(double y) {
            return H - BOTTOM - (int) Math.round((y - y0) / (y1 - y0) * (H - TOP - BOTTOM));
        }

        void hline(double y, Color colour, String label) {
            g.setColor(colour);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4},
                    0));
            g.drawLine(LEFT, py(y), W - RIGHT, py(y));
            g.setStroke(new BasicStroke(1));
            legendEntry(colour, label);
        }

        void series(List<double[]> pts, Color colour, String label, boolean markers) {
            if (pts.isEmpty()) {
                return;
            }
            g.setColor(colour);
            g.setStroke(new BasicStroke(2));
            for (int k = 1; k < pts.size(); k++) {
                g.drawLine(px(pts.get(k - 1)[0]), py(pts.get(k - 1)[1]), px(pts.get(k)[0]), py(pts.get(k)[1]));
            }
            if (markers) {
                for (double[] p : pts) {
                    g.fillOval(px(p[0]) - 4, py(p[1]) - 4, 8, 8);
                }
            }
            g.setStroke(new BasicStroke(1));
            legendEntry(colour, label);
        }

        private void legendEntry(Color colour, String label) {
            g.setColor(colour);
            g.fillRect(W - RIGHT + 12, legend - 8, 14, 8);
            g.setColor(Color.BLACK);
            g.drawString(label, W - RIGHT + 32, legend);
            legend += 18;
        }

        /** 1, 2, 2.5 or 5 times a power of ten: the tick step nearest above {@code raw}. */
        private static double niceStep(double raw) {
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            for (double m : new double[] {1, 2, 2.5, 5, 10}) {
                if (m * p >= raw) {
                    return m * p;
                }
            }
            return 10 * p;
        }

        private static String tick(double v) {
            return Math.abs(v) >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                    : String.format(Locale.ROOT, "%.2f", v);
        }
    }
}
