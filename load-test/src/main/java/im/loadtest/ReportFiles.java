package im.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes a run's report beside its text form: {@code <name>.json} (the summary and the timeline) and
 * {@code <name>.svg} (ack and delivery latency percentiles over time, and the acked rate), for
 * {@code --report-dir=DIR}.
 */
final class ReportFiles {

  static final String FLAG = "report-dir";
  static final String USAGE = "  --report-dir=DIR     write <scenario>-<time>.json and .svg (latency and rate over time) there";

  private static final int WIDTH = 900;
  private static final int HEIGHT = 420;
  private static final int MARGIN = 60;

  private ReportFiles() {}

  /**
   * Ends a run: stops its timeline, prints the text report on stdout, and writes the JSON and SVG files when
   * {@code reportDir} is not empty.
   */
  static void finish(Vertx vertx, LoadStats stats, String scenario, String setup, long elapsedNanos, String reportDir)
      throws IOException {
    stats.timeline().stop(vertx);
    System.out.println(stats.report(setup, elapsedNanos));
    if (!reportDir.isEmpty()) {
      String name = scenario + "-" + System.currentTimeMillis();
      for (Path file : write(Path.of(reportDir), name, stats.summary(setup, elapsedNanos), stats.timeline())) {
        System.err.println("[report] " + file);
      }
    }
  }

  /** @return the files written */
  static List<Path> write(Path dir, String name, JsonObject summary, Timeline timeline) throws IOException {
    Files.createDirectories(dir);
    Path json = dir.resolve(name + ".json");
    Path svg = dir.resolve(name + ".svg");
    Files.writeString(json, summary.copy().put("timeline", timeline.toJson()).encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(svg, chart(name, timeline.points()), StandardCharsets.UTF_8);
    return List.of(json, svg);
  }

  static String chart(String title, List<Timeline.Point> points) {
    double maxT = Math.max(1, points.stream().mapToDouble(Timeline.Point::atSeconds).max().orElse(1));
    double maxMs = Math.max(1, points.stream().mapToDouble(p -> Math.max(p.ackP99(), p.deliveryP99())).max().orElse(1));
    double maxRate = Math.max(1, points.stream().mapToDouble(Timeline.Point::ackedPerSecond).max().orElse(1));
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
        WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n", MARGIN, escape(title)));
    int plotW = WIDTH - 2 * MARGIN;
    int plotH = HEIGHT - 2 * MARGIN;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
        MARGIN, MARGIN, plotW, plotH));
    svg.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%.0f ms</text><text x=\"5\" y=\"%d\">0</text>%n",
        MARGIN + 4, maxMs, MARGIN + plotH));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.0f msg/s</text>%n", WIDTH - MARGIN + 4, MARGIN + 4, maxRate));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.0f s</text>%n", WIDTH - MARGIN - 20, HEIGHT - MARGIN + 16, maxT));
    line(svg, points, Timeline.Point::ackP50, maxT, maxMs, "#1f77b4", "ack p50", 0);
    line(svg, points, Timeline.Point::ackP99, maxT, maxMs, "#d62728", "ack p99", 1);
    line(svg, points, Timeline.Point::deliveryP99, maxT, maxMs, "#ff7f0e", "delivery p99", 2);
    line(svg, points, Timeline.Point::ackedPerSecond, maxT, maxRate, "#2ca02c", "acked/s (right scale)", 3);
    return svg.append("</svg>\n").toString();
  }

  private static void line(StringBuilder svg, List<Timeline.Point> points, ToDoubleFunction<Timeline.Point> value,
                           double maxX, double maxY, String colour, String label, int slot) {
    int plotW = WIDTH - 2 * MARGIN;
    int plotH = HEIGHT - 2 * MARGIN;
    StringBuilder path = new StringBuilder();
    for (Timeline.Point point : points) {
      double x = MARGIN + point.atSeconds() / maxX * plotW;
      double y = MARGIN + plotH - Math.min(1, value.applyAsDouble(point) / maxY) * plotH;
      path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
    }
    svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", path, colour));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
        MARGIN + slot * 190, HEIGHT - 20, colour, escape(label)));
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
