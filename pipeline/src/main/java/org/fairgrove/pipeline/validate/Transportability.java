package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.List;

/**
 * How discrimination and calibration change from the internal test split to the other
 * evaluation sets: each headline metric of the overall slice with its CI, and its difference from
 * the internal value with a CI (the sets hold different persons, so their variances add; each
 * standard error is read back from its 95% CI).
 */
public final class Transportability {
  /** The headline metrics compared across sets (differences on the log scale for O/E). */
  public static final List<String> METRICS = List.of("auroc", "oe_ratio", "calibration_slope",
      "calibration_intercept");

  private Transportability() {}

  /**
   * One metric of one set against the internal set.
   *
   * @param difference set minus internal (O/E: the ratio set / internal), NaN for the internal set
   */
  public record Row(String set, String metric, Double value, Double ciLow, Double ciHigh,
      Double difference, Double differenceCiLow, Double differenceCiHigh) {}

  public static List<Row> of(List<ValidationReport.EvaluatedSet> sets, String internal) {
    List<Row> out = new ArrayList<>();
    MetricRow[] base = new MetricRow[METRICS.size()];
    for (ValidationReport.EvaluatedSet set : sets) {
      if (set.name().equals(internal)) {
        for (int i = 0; i < METRICS.size(); i++) {
          base[i] = overall(set, METRICS.get(i));
        }
      }
    }
    for (ValidationReport.EvaluatedSet set : sets) {
      for (int i = 0; i < METRICS.size(); i++) {
        MetricRow row = overall(set, METRICS.get(i));
        if (row == null || row.value() == null) {
          continue;
        }
        boolean ratio = METRICS.get(i).equals("oe_ratio");
        Double[] difference = set.name().equals(internal) || base[i] == null
            || base[i].value() == null ? new Double[3] : difference(row, base[i], ratio);
        out.add(new Row(set.name(), METRICS.get(i), row.value(), row.ciLow(), row.ciHigh(),
            difference[0], difference[1], difference[2]));
      }
    }
    return out;
  }

  private static Double[] difference(MetricRow row, MetricRow internal, boolean ratio) {
    double a = scale(row.value(), ratio);
    double b = scale(internal.value(), ratio);
    double se = Math.sqrt(Math.pow(se(row, ratio), 2) + Math.pow(se(internal, ratio), 2));
    double d = a - b;
    double low = d - Stats.Z_975 * se;
    double high = d + Stats.Z_975 * se;
    return ratio
        ? new Double[] {Math.exp(d), MetricRow.finite(Math.exp(low)),
            MetricRow.finite(Math.exp(high))}
        : new Double[] {d, MetricRow.finite(low), MetricRow.finite(high)};
  }

  private static double scale(double value, boolean ratio) {
    return ratio ? Math.log(value) : value;
  }

  private static double se(MetricRow row, boolean ratio) {
    if (row.ciLow() == null || row.ciHigh() == null) {
      return Double.NaN;
    }
    return (scale(row.ciHigh(), ratio) - scale(row.ciLow(), ratio)) / (2 * Stats.Z_975);
  }

  private static MetricRow overall(ValidationReport.EvaluatedSet set, String metric) {
    return set.result().metrics(SliceKey.OVERALL_SLICE).stream()
        .filter(r -> r.metric().equals(metric) && r.threshold() == null).findFirst()
        .orElse(null);
  }
}
