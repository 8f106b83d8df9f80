package neurosteer.toy.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Draws the loss curve of {@code loss.csv} (raw per step and a moving average) as a PNG, headless. */
public final class LossPlot {
    private LossPlot() {}

    public static void write(Path csv, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<double[]> points = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] parts = lines.get(i).split(",");
            if (parts.length < 3) throw new IOException(csv + " line " + (i + 1) + ": expected step,lr,loss,...");
            points.add(new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[2])});
        }
        int width = 900, height = 500, left = 70, right = 20, top = 40, bottom = 50;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("toy model training loss (solution tokens, per token)", left, 25);
        if (points.isEmpty()) {
            g.dispose();
            ImageIO.write(image, "png", png.toFile());
            return;
        }
        double maxStep = points.get(points.size() - 1)[0], minLoss = Double.MAX_VALUE, maxLoss = 0;
        for (double[] p : points) {
            minLoss = Math.min(minLoss, p[1]);
            maxLoss = Math.max(maxLoss, p[1]);
        }
        // log-scale y axis between powers of ten around the data
        double yMin = Math.pow(10, Math.floor(Math.log10(Math.max(1e-4, minLoss))));
        double yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(yMin * 10, maxLoss))));
        double logMin = Math.log10(yMin), logSpan = Math.log10(yMax) - logMin;
        int plotW = width - left - right, plotH = height - top - bottom;
        g.drawRect(left, top, plotW, plotH);
        for (double decade = yMin; decade <= yMax * 1.0001; decade *= 10) {
            for (int k = 1; k < 10; k++) {
                double y = decade * k;
                if (y > yMax * 1.0001) break;
                int py = top + plotH - (int) Math.round(plotH * (Math.log10(y) - logMin) / logSpan);
                g.setColor(k == 1 ? new Color(200, 200, 200) : new Color(238, 238, 238));
                g.drawLine(left + 1, py, left + plotW - 1, py);
                if (k == 1 || k == 2 || k == 5) {
                    g.setColor(Color.BLACK);
                    g.drawString(String.format(y >= 1 ? "%.0f" : y >= 0.1 ? "%.1f" : y >= 0.01 ? "%.2f" : "%.3f", y), 20, py + 4);
                }
            }
        }
        g.setColor(Color.BLACK);
        for (int i = 0; i <= 5; i++) {
            long x = Math.round(maxStep * i / 5);
            g.drawString(Long.toString(x), left + plotW * i / 5 - 10, top + plotH + 18);
        }
        g.drawString("step (log-scale loss; blue: per step, red: mean of the last 1% of steps)", left + 120, height - 10);
        int window = Math.max(1, points.size() / 100);
        double[] smooth = new double[points.size()];
        double running = 0;
        for (int i = 0; i < points.size(); i++) {
            running += points.get(i)[1];
            if (i >= window) running -= points.get(i - window)[1];
            smooth[i] = running / Math.min(i + 1, window);
        }
        for (int pass = 0; pass < 2; pass++) {
            g.setColor(pass == 0 ? new Color(150, 180, 230) : new Color(200, 40, 40));
            g.setStroke(new BasicStroke(pass == 0 ? 1f : 2f));
            int prevX = -1, prevY = -1;
            for (int i = 0; i < points.size(); i++) {
                double value = pass == 0 ? points.get(i)[1] : smooth[i];
                int px = left + (int) (plotW * points.get(i)[0] / maxStep);
                int py = top + plotH - (int) Math.round(plotH * (Math.log10(Math.max(yMin, value)) - logMin) / logSpan);
                if (prevX >= 0) g.drawLine(prevX, prevY, px, py);
                prevX = px;
                prevY = py;
            }
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }
}
