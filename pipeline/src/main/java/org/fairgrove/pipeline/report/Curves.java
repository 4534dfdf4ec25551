package org.fairgrove.pipeline.report;

import java.util.ArrayList;
import java.util.List;
import org.fairgrove.pipeline.validate.CurveBins;

/**
 * ROC and calibration points of one slice from its risk bins. Adjacent bins are pooled until each
 * pooled bin holds at least the small-cell threshold of events and of non-events, so no step of a
 * curve reveals a small count (a ROC step times the events shown, or a calibration point's rate
 * times its size, would give it back).
 */
final class Curves {
  private Curves() {}

  /** A pooled bin: its size, events and mean risk. */
  record Pooled(long n, long events, double meanRisk) {
    long nonEvents() {
      return n - events;
    }
  }

  /** Pooled bins for the ROC curve: as fine as the small-cell rule allows. */
  static List<Pooled> forRoc(List<CurveBins.Bin> bins, int smallCellThreshold) {
    return pool(bins, smallCellThreshold, 0);
  }

  /** Pooled bins for the calibration curve: about tenths of the slice (risk deciles). */
  static List<Pooled> forCalibration(List<CurveBins.Bin> bins, int smallCellThreshold) {
    long n = bins.stream().mapToLong(CurveBins.Bin::n).sum();
    return pool(bins, smallCellThreshold, (n + CALIBRATION_POINTS - 1) / CALIBRATION_POINTS);
  }

  static final int CALIBRATION_POINTS = 10;

  /**
   * Bins of one slice pooled in ascending risk until each holds at least the small-cell
   * threshold of events and of non-events and at least {@code minimumRows} rows; empty when the
   * slice cannot fill one bin.
   */
  static List<Pooled> pool(List<CurveBins.Bin> bins, int smallCellThreshold, long minimumRows) {
    List<CurveBins.Bin> ordered = new ArrayList<>(bins);
    ordered.sort((a, b) -> Integer.compare(a.bin(), b.bin()));
    List<Pooled> out = new ArrayList<>();
    long n = 0;
    long events = 0;
    double riskSum = 0;
    for (CurveBins.Bin bin : ordered) {
      n += bin.n();
      events += bin.events();
      riskSum += bin.riskSum();
      if (events >= smallCellThreshold && n - events >= smallCellThreshold
          && n >= minimumRows) {
        out.add(new Pooled(n, events, riskSum / n));
        n = 0;
        events = 0;
        riskSum = 0;
      }
    }
    if (n > 0 && !out.isEmpty()) {
      // The short remainder joins the last full bin.
      Pooled last = out.remove(out.size() - 1);
      long total = last.n() + n;
      out.add(new Pooled(total, last.events() + events,
          (last.meanRisk() * last.n() + riskSum) / total));
    }
    return out;
  }

  /** (false positive rate, true positive rate) from the highest risk down, (0,0) to (1,1). */
  static List<double[]> roc(List<Pooled> pooled) {
    long positives = pooled.stream().mapToLong(Pooled::events).sum();
    long negatives = pooled.stream().mapToLong(Pooled::nonEvents).sum();
    List<double[]> points = new ArrayList<>(List.of(new double[] {0, 0}));
    long tp = 0;
    long fp = 0;
    for (int i = pooled.size() - 1; i >= 0; i--) {
      tp += pooled.get(i).events();
      fp += pooled.get(i).nonEvents();
      points.add(new double[] {(double) fp / negatives, (double) tp / positives});
    }
    return points;
  }

  /** (mean predicted risk, observed event rate) per pooled bin. */
  static List<double[]> calibration(List<Pooled> pooled) {
    return pooled.stream()
        .map(p -> new double[] {p.meanRisk(), (double) p.events() / p.n()}).toList();
  }
}
