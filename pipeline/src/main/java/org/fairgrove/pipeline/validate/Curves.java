package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ROC, calibration and decision curves of each shown slice, built only from rows that passed the
 * small-cell rule: every point is at a threshold shown for the slice, and neighbouring shown
 * thresholds differ by zero or at least the small-cell threshold in events and non-events, so
 * no step of a curve holds a small count.
 */
public final class Curves {
  /** About this many calibration points per slice (pooled further where events are few). */
  static final int CALIBRATION_POINTS = 10;

  private Curves() {}

  /**
   * One slice's curves; each point is {x, y} (smooth: predicted, observed, band low, high).
   *
   * @param roc (false positive rate, sensitivity) from (0, 0) to (1, 1)
   * @param calibration (mean predicted risk, observed rate) per pooled risk bin
   * @param netBenefit (threshold, net benefit) of the model; treatAll likewise; treat-none is 0
   */
  public record SliceCurves(List<double[]> roc, List<double[]> calibration,
      List<double[]> smooth, List<double[]> netBenefit, List<double[]> treatAll,
      List<Marker> operatingPoints) {}

  /** An operating point on the curves. */
  public record Marker(String label, double threshold, double fpr, double sensitivity,
      double netBenefit) {}

  /** Cumulative counts of the rows at or above one threshold. */
  private record Level(double threshold, double tp, double fp, double risk) {}

  static Map<SliceKey, SliceCurves> of(ValidationResult result, int smallCellThreshold) {
    Map<SliceKey, List<MetricRow>> bySlice = new TreeMap<>();
    result.metrics().forEach(r -> bySlice.computeIfAbsent(r.slice(), k -> new ArrayList<>())
        .add(r));
    Map<SliceKey, SliceCurves> out = new TreeMap<>();
    bySlice.forEach((slice, rows) -> {
      Double n = value(rows, "n", null);
      Double events = value(rows, "events", null);
      if (n == null || events == null || n == 0) {
        return;
      }
      out.put(slice, new SliceCurves(roc(rows), calibration(rows, n, events,
          smallCellThreshold), result.smoothCalibration().getOrDefault(slice, List.of()),
          series(rows, "net_benefit"), series(rows, "net_benefit_treat_all"), markers(rows)));
    });
    return out;
  }

  private static List<double[]> roc(List<MetricRow> rows) {
    Map<Double, double[]> byThreshold = new TreeMap<>(Comparator.reverseOrder());
    collect(rows, "fpr", "sensitivity", byThreshold);
    collect(rows, MetricRows.CURVE_FP, MetricRows.CURVE_TP, byThreshold);
    List<double[]> points = new ArrayList<>(List.of(new double[] {0, 0}));
    byThreshold.values().stream().filter(p -> !Double.isNaN(p[0]) && !Double.isNaN(p[1]))
        .forEach(points::add);
    points.add(new double[] {1, 1});
    return points;
  }

  /** (x, y) at each shown threshold where both metrics are shown. */
  private static void collect(List<MetricRow> rows, String x, String y,
      Map<Double, double[]> byThreshold) {
    for (MetricRow r : rows) {
      if (r.threshold() != null && r.value() != null && (r.metric().equals(x)
          || r.metric().equals(y))) {
        double[] point = byThreshold.computeIfAbsent(r.threshold(),
            t -> new double[] {Double.NaN, Double.NaN});
        point[r.metric().equals(x) ? 0 : 1] = r.value();
      }
    }
  }

  /**
   * Risk bins between neighbouring shown curve thresholds (counts are differences of shown
   * cumulative counts), pooled from the top until each holds at least the small-cell threshold
   * of events and of non-events and about a tenth of the slice.
   */
  private static List<double[]> calibration(List<MetricRow> rows, double n, double events,
      int smallCellThreshold) {
    Double meanRisk = value(rows, "mean_risk", null);
    if (meanRisk == null) {
      return List.of();
    }
    double nonEvents = n - events;
    Map<Double, Level> levels = new TreeMap<>(Comparator.reverseOrder());
    for (MetricRow r : rows) {
      if (r.threshold() == null || r.value() == null || !r.isCurve()) {
        continue;
      }
      Level l = levels.getOrDefault(r.threshold(), new Level(r.threshold(), Double.NaN,
          Double.NaN, Double.NaN));
      double v = r.value();
      levels.put(r.threshold(), switch (r.metric()) {
        case MetricRows.CURVE_TP -> new Level(l.threshold(), Math.round(v * events), l.fp(),
            l.risk());
        case MetricRows.CURVE_FP -> new Level(l.threshold(), l.tp(), Math.round(v * nonEvents),
            l.risk());
        default -> new Level(l.threshold(), l.tp(), l.fp(), v * n);
      });
    }
    List<Level> cumulative = new ArrayList<>();
    levels.values().stream().filter(l -> !Double.isNaN(l.tp() + l.fp() + l.risk()))
        .forEach(cumulative::add);
    cumulative.add(new Level(0, events, nonEvents, meanRisk * n));
    // Cut points from the top; the short remainder below the last cut joins the last bin.
    List<Level> cuts = new ArrayList<>(List.of(new Level(Double.POSITIVE_INFINITY, 0, 0, 0)));
    double minimumRows = Math.ceil(n / CALIBRATION_POINTS);
    for (Level level : cumulative) {
      Level start = cuts.get(cuts.size() - 1);
      double binEvents = level.tp() - start.tp();
      double binNonEvents = level.fp() - start.fp();
      if (binEvents >= smallCellThreshold && binNonEvents >= smallCellThreshold
          && binEvents + binNonEvents >= minimumRows) {
        cuts.add(level);
      }
    }
    Level bottom = cumulative.get(cumulative.size() - 1);
    if (cuts.size() > 1 && cuts.get(cuts.size() - 1) != bottom) {
      cuts.set(cuts.size() - 1, bottom);
    }
    List<double[]> points = new ArrayList<>();
    for (int i = 1; i < cuts.size(); i++) {
      points.add(point(cuts.get(i - 1), cuts.get(i)));
    }
    return points;
  }

  private static double[] point(Level from, Level to) {
    double rows = to.tp() + to.fp() - from.tp() - from.fp();
    return new double[] {(to.risk() - from.risk()) / rows, (to.tp() - from.tp()) / rows};
  }

  /** (threshold, value) of a threshold metric, ascending, shown values only. */
  private static List<double[]> series(List<MetricRow> rows, String metric) {
    Map<Double, Double> byThreshold = new TreeMap<>();
    rows.stream().filter(r -> r.metric().equals(metric) && r.threshold() != null
        && r.value() != null).forEach(r -> byThreshold.put(r.threshold(), r.value()));
    List<double[]> out = new ArrayList<>();
    byThreshold.forEach((t, v) -> out.add(new double[] {t, v}));
    return out;
  }

  private static List<Marker> markers(List<MetricRow> rows) {
    Map<String, Marker> out = new java.util.LinkedHashMap<>();
    for (MetricRow r : rows) {
      if (r.operatingPoint() == null || r.value() == null || !r.metric().equals("sensitivity")) {
        continue;
      }
      Double fpr = value(rows, "fpr", r.operatingPoint());
      Double benefit = value(rows, "net_benefit", r.operatingPoint());
      if (fpr != null && benefit != null) {
        out.put(r.operatingPoint(), new Marker(r.operatingPoint(), r.threshold(), fpr, r.value(),
            benefit));
      }
    }
    return List.copyOf(out.values());
  }

  private static Double value(List<MetricRow> rows, String metric, String operatingPoint) {
    for (MetricRow r : rows) {
      if (r.metric().equals(metric) && java.util.Objects.equals(r.operatingPoint(),
          operatingPoint) && (operatingPoint != null || r.threshold() == null)) {
        return r.value();
      }
    }
    return null;
  }
}
