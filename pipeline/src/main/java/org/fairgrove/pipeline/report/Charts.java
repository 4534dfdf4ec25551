package org.fairgrove.pipeline.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XIntervalSeries;
import org.jfree.data.xy.XIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** The report's charts as inline SVG (JFreeChart drawn by JFreeSVG): no external assets. */
final class Charts {
  /** Colour-blind safe (Okabe-Ito), in series order. */
  static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00),
      new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9),
      new Color(0x000000), new Color(0xF0E442)};
  private static final Color GREY = new Color(0x777777);
  private static final Font TITLE = new Font("SansSerif", Font.BOLD, 12);
  private static final Font LABEL = new Font("SansSerif", Font.PLAIN, 10);
  private static final BasicStroke DASHED = new BasicStroke(1f, BasicStroke.CAP_BUTT,
      BasicStroke.JOIN_MITER, 1f, new float[] {4f, 3f}, 0f);

  private int drawn;

  /** One row of a forest plot: a slice's estimate and its CI (NaN CI: the point alone). */
  record ForestRow(String label, double value, double ciLow, double ciHigh) {}

  /** How a series is drawn. */
  enum Style {
    LINE, DASHED_LINE, POINTS, BAND
  }

  /**
   * A named series of points drawn in a palette colour: (x, y), or for a band (x, y, low, high).
   * A series with a null name stays out of the legend.
   */
  record Series(String name, List<double[]> points, Style style, int colour) {}

  /** Estimates with CIs, one row per slice, top to bottom, with a marker at the reference. */
  String forest(String title, String axisLabel, List<ForestRow> rows, double marker,
      double lowerBound, double upperBound, double[] limits) {
    XIntervalSeries series = new XIntervalSeries(axisLabel);
    String[] labels = new String[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ForestRow r = rows.get(i);
      labels[i] = r.label();
      double low = Double.isFinite(r.ciLow()) ? r.ciLow() : r.value();
      double high = Double.isFinite(r.ciHigh()) ? r.ciHigh() : r.value();
      series.add(Math.max(lowerBound, Math.min(upperBound, r.value())),
          Math.max(low, lowerBound), Math.min(high, upperBound), i);
    }
    XIntervalSeriesCollection dataset = new XIntervalSeriesCollection();
    dataset.addSeries(series);
    NumberAxis x = new NumberAxis(axisLabel);
    x.setRange(lowerBound, upperBound);
    style(x);
    SymbolAxis y = new SymbolAxis(null, labels);
    y.setInverted(true);
    y.setGridBandsVisible(false);
    y.setTickLabelFont(LABEL);
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDrawYError(false);
    renderer.setCapLength(4);
    renderer.setErrorPaint(Color.DARK_GRAY);
    renderer.setSeriesPaint(0, PALETTE[0]);
    renderer.setSeriesShape(0, new Rectangle2D.Double(-3, -3, 6, 6));
    renderer.setDefaultLinesVisible(false);
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    if (Double.isFinite(marker)) {
      plot.addDomainMarker(new ValueMarker(marker, GREY, DASHED));
    }
    for (double limit : limits) {
      if (Double.isFinite(limit) && limit > lowerBound && limit < upperBound) {
        plot.addDomainMarker(new ValueMarker(limit, PALETTE[1], new BasicStroke(1f)));
      }
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinesVisible(false);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
    // Room on the right for the last tick label of the value axis.
    chart.setPadding(new RectangleInsets(2, 2, 2, 14));
    return svg(chart, 340, 60 + 15 * rows.size());
  }

  /**
   * Lines, points and bands on shared axes; an optional dashed diagonal (ROC chance, perfect
   * calibration).
   */
  String xy(String title, String xLabel, String yLabel, List<Series> series, boolean diagonal,
      double[] xRange, double[] yRange) {
    return xy(title, xLabel, yLabel, series, diagonal, xRange, yRange, false);
  }

  /** As above; {@code wholeX}: ticks on whole numbers only (x counts something). */
  String xy(String title, String xLabel, String yLabel, List<Series> series, boolean diagonal,
      double[] xRange, double[] yRange, boolean wholeX) {
    NumberAxis x = new NumberAxis(xLabel);
    if (wholeX) {
      x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    NumberAxis y = new NumberAxis(yLabel);
    style(x);
    style(y);
    x.setRange(spread(xRange));
    y.setRange(spread(yRange));
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(x);
    plot.setRangeAxis(y);
    int index = 0;
    for (Series s : series) {
      plot.setDataset(index, s.style() == Style.BAND ? band(s) : points(s));
      plot.setRenderer(index, renderer(s));
      index++;
    }
    if (diagonal) {
      double top = Math.min(xRange[1], yRange[1]);
      plot.setDataset(index, points(new Series(null, List.of(new double[] {0, 0},
          new double[] {top, top}), Style.DASHED_LINE, -1)));
      plot.setRenderer(index, renderer(new Series(null, List.of(), Style.DASHED_LINE, -1)));
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinePaint(new Color(0xDDDDDD));
    JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
    chart.getLegend().setItemFont(LABEL);
    return svg(chart, 330, 290);
  }

  /** The range, widened around its point when a chart has one point only. */
  private static org.jfree.data.Range spread(double[] range) {
    double margin = Math.max(0.01, Math.abs(range[0]) * 0.1);
    return range[1] > range[0] ? new org.jfree.data.Range(range[0], range[1])
        : new org.jfree.data.Range(range[0] - margin, range[0] + margin);
  }

  private static XYSeriesCollection points(Series s) {
    XYSeries xy = new XYSeries(s.name() == null ? "" : s.name(), false, true);
    s.points().forEach(p -> xy.add(p[0], p[1]));
    return new XYSeriesCollection(xy);
  }

  private static YIntervalSeriesCollection band(Series s) {
    YIntervalSeries xy = new YIntervalSeries(s.name() == null ? "" : s.name(), false, true);
    s.points().forEach(p -> xy.add(p[0], p[1], p[2], p[3]));
    YIntervalSeriesCollection dataset = new YIntervalSeriesCollection();
    dataset.addSeries(xy);
    return dataset;
  }

  private static XYLineAndShapeRenderer renderer(Series s) {
    Color colour = s.colour() < 0 ? GREY : PALETTE[s.colour() % PALETTE.length];
    XYLineAndShapeRenderer renderer = switch (s.style()) {
      case BAND -> {
        DeviationRenderer band = new DeviationRenderer(true, false);
        band.setSeriesFillPaint(0, new Color(colour.getRed(), colour.getGreen(),
            colour.getBlue(), 60));
        band.setAlpha(0.25f);
        yield band;
      }
      case POINTS -> new XYLineAndShapeRenderer(false, true);
      default -> new XYLineAndShapeRenderer(true, false);
    };
    renderer.setSeriesPaint(0, colour);
    renderer.setSeriesStroke(0, s.style() == Style.DASHED_LINE ? DASHED : new BasicStroke(1.5f));
    Shape dot = new Ellipse2D.Double(-3, -3, 6, 6);
    renderer.setSeriesShape(0, dot);
    renderer.setSeriesVisibleInLegend(0, s.name() != null);
    return renderer;
  }

  private static void style(NumberAxis axis) {
    axis.setLabelFont(LABEL);
    axis.setTickLabelFont(LABEL);
  }

  private String svg(JFreeChart chart, int width, int height) {
    chart.setBackgroundPaint(Color.WHITE);
    ((TextTitle) chart.getTitle()).setFont(TITLE);
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    // Many charts share one HTML document: their clip path ids must not collide.
    g.setDefsKeyPrefix("chart" + (drawn++) + "_");
    chart.draw(g, new Rectangle(0, 0, width, height));
    // The viewBox lets the PDF renderer scale the drawing into its box instead of clipping it.
    // Whole-pixel dimensions: the PDF renderer does not read JFreeSVG's "660.0" and would fall
    // back to a default size.
    return g.getSVGElement(null, false, new ViewBox(0, 0, width, height),
        PreserveAspectRatio.XMID_YMID, MeetOrSlice.MEET)
        .replaceFirst("<svg ", "<svg width='" + width + "' height='" + height + "' ");
  }
}
