package org.fairgrove.pipeline.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XIntervalSeries;
import org.jfree.data.xy.XIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** The report's charts as inline SVG (JFreeChart drawn by JFreeSVG): no external assets. */
final class Charts {
  /** Colour-blind safe (Okabe-Ito), in series order. */
  private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00),
      new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9),
      new Color(0x000000), new Color(0xF0E442)};
  private static final Font TITLE = new Font("SansSerif", Font.BOLD, 12);
  private static final Font LABEL = new Font("SansSerif", Font.PLAIN, 10);

  private int drawn;

  /** One row of a forest plot: a slice's estimate and its CI (NaN CI: the point alone). */
  record ForestRow(String label, double value, double ciLow, double ciHigh) {}

  /** A named series of (x, y) points. */
  record Series(String name, List<double[]> points) {}

  /** Estimates with CIs, one row per slice, top to bottom, with a marker at the reference. */
  String forest(String title, String axisLabel, List<ForestRow> rows, double marker,
      double lowerBound, double upperBound) {
    XIntervalSeries series = new XIntervalSeries(axisLabel);
    String[] labels = new String[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ForestRow r = rows.get(i);
      labels[i] = r.label();
      double low = Double.isFinite(r.ciLow()) ? r.ciLow() : r.value();
      double high = Double.isFinite(r.ciHigh()) ? r.ciHigh() : r.value();
      series.add(r.value(), Math.max(low, lowerBound), Math.min(high, upperBound), i);
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
    renderer.setSeriesShape(0, new java.awt.geom.Rectangle2D.Double(-3, -3, 6, 6));
    renderer.setDefaultLinesVisible(false);
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    if (Double.isFinite(marker)) {
      ValueMarker line = new ValueMarker(marker, Color.GRAY, new BasicStroke(1f,
          BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 3f}, 0f));
      plot.addDomainMarker(line);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinesVisible(false);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
    // Room on the right for the last tick label of the value axis.
    chart.setPadding(new RectangleInsets(2, 2, 2, 14));
    return svg(chart, 500, 60 + 16 * rows.size());
  }

  /** Lines per group, an optional diagonal (ROC chance, perfect calibration), unit axes. */
  String lines(String title, String xLabel, String yLabel, List<Series> series,
      boolean diagonal, double[] yRange) {
    XYSeriesCollection dataset = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true);
      s.points().forEach(p -> xy.add(p[0], p[1]));
      dataset.addSeries(xy);
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(1.5f));
    }
    NumberAxis x = new NumberAxis(xLabel);
    NumberAxis y = new NumberAxis(yLabel);
    style(x);
    style(y);
    x.setAutoRangeIncludesZero(true);
    if (yRange != null) {
      y.setRange(yRange[0], yRange[1]);
    }
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    if (diagonal) {
      XYSeriesCollection line = new XYSeriesCollection();
      XYSeries d = new XYSeries("reference", false, true);
      d.add(0, 0);
      d.add(1, 1);
      line.addSeries(d);
      XYLineAndShapeRenderer grey = new XYLineAndShapeRenderer(true, false);
      grey.setSeriesPaint(0, Color.GRAY);
      grey.setSeriesStroke(0, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
          1f, new float[] {4f, 3f}, 0f));
      grey.setSeriesVisibleInLegend(0, false);
      plot.setDataset(1, line);
      plot.setRenderer(1, grey);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinePaint(new Color(0xDDDDDD));
    JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
    chart.getLegend().setItemFont(LABEL);
    return svg(chart, 320, 300);
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
