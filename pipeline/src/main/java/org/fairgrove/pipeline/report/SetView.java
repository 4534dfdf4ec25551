package org.fairgrove.pipeline.report;

import static org.fairgrove.pipeline.report.ReportView.NOT_AVAILABLE;
import static org.fairgrove.pipeline.report.ReportView.SUPPRESSED;
import static org.fairgrove.pipeline.report.ReportView.count;
import static org.fairgrove.pipeline.report.ReportView.dbl;
import static org.fairgrove.pipeline.report.ReportView.interval;
import static org.fairgrove.pipeline.report.ReportView.list;
import static org.fairgrove.pipeline.report.ReportView.number;
import static org.fairgrove.pipeline.report.ReportView.withCi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.validate.SliceKey;

/** One evaluation set's section: forest plots, slice and operating-point tables, curves. */
@SuppressWarnings("unchecked")
final class SetView {
  private SetView() {}

  static Map<String, Object> of(Map<String, Object> set, GovernanceSettings policy,
      Charts charts) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", set.get("name"));
    out.put("title", ReportView.title(set));
    List<Map<String, Object>> slices = list(set.get("slices"));
    List<Map<String, Object>> metrics = list(set.get("metrics"));
    List<Map<String, Object>> shown = slices.stream()
        .filter(s -> !Boolean.TRUE.equals(s.get("suppressed"))).toList();
    out.put("all_suppressed", shown.isEmpty());
    out.put("slice_rows", slices.stream().map(s -> sliceRow(s, policy)).toList());
    forests(out, shown, policy, charts);
    List<List<String>> pointRows = new ArrayList<>();
    List<List<String>> gapRows = new ArrayList<>();
    for (Map<String, Object> s : shown) {
      List<Map<String, Object>> own = metrics.stream()
          .filter(r -> s.get("attribute").equals(r.get("attribute"))
              && s.get("group").equals(r.get("group"))).toList();
      pointRows.addAll(pointRows(s, own));
      if (s.get("reference") != null && !s.get("group").equals(s.get("reference"))) {
        gapRows.add(List.of(label(s), (String) s.get("reference"),
            cell(find(own, "auroc_difference", null), true),
            cell(find(own, "calibration_slope_difference", null), true),
            cell(find(own, "oe_ratio_ratio", null), true)));
      }
    }
    out.put("point_rows", pointRows.stream().filter(r -> !allSuppressed(r)).toList());
    out.put("suppressed_points", suppressedPoints(pointRows));
    out.put("gap_rows", gapRows);
    out.put("curve_charts", CurveCharts.of(set, charts));
    return out;
  }

  private static List<String> sliceRow(Map<String, Object> s, GovernanceSettings policy) {
    boolean suppressed = Boolean.TRUE.equals(s.get("suppressed"));
    List<String> reasons = new ArrayList<>();
    for (Map<String, Object> c : list(s.get("checks"))) {
      if ("flag".equals(c.get("verdict")) || "review".equals(c.get("verdict"))) {
        reasons.add(((String) c.get("verdict")).toUpperCase(Locale.ROOT) + " "
            + ((String) c.get("check")).replace('_', ' ')
            + (c.get("operating_point") == null ? "" : " at " + c.get("operating_point")) + " "
            + ReportView.estimate(c) + (c.get("p_holm") == null ? "" : ", adjusted p "
                + ReportView.pValue(c.get("p_holm"))));
      }
    }
    return List.of(label(s), s.get("reference") == null ? "" : (String) s.get("reference"),
        ((String) s.get("status")).replace('_', ' '),
        suppressed ? SUPPRESSED : count(s.get("n"), policy),
        suppressed ? SUPPRESSED : count(s.get("events"), policy),
        suppressed || s.get("prevalence") == null ? SUPPRESSED
            : number(s.get("prevalence"), "%.4f"),
        withCi(s, "auroc", suppressed), withCi(s, "oe_ratio", suppressed),
        withCi(s, "calibration_slope", suppressed),
        suppressed || s.get("ici") == null ? (suppressed ? SUPPRESSED : NOT_AVAILABLE)
            : number(s.get("ici"), "%.4f"),
        ReportView.detectableGap(s, suppressed ? "%.1f" : "%.2f"),
        String.join("; ", reasons));
  }

  /** AUROC, calibration slope and O/E by slice with their CIs and the policy's limits. */
  private static void forests(Map<String, Object> out, List<Map<String, Object>> shown,
      GovernanceSettings policy, Charts charts) {
    List<Charts.ForestRow> auroc = new ArrayList<>();
    List<Charts.ForestRow> slope = new ArrayList<>();
    List<Charts.ForestRow> oe = new ArrayList<>();
    double overall = Double.NaN;
    for (Map<String, Object> s : shown) {
      String label = label(s);
      add(auroc, label, s, "auroc");
      add(slope, label, s, "calibration_slope");
      add(oe, label, s, "oe_ratio");
      if (SliceKey.OVERALL.equals(s.get("attribute"))) {
        overall = dbl(s.get("auroc"));
      }
    }
    double low = Math.min(0.5, auroc.stream().mapToDouble(r -> Double.isFinite(r.ciLow())
        ? r.ciLow() : r.value()).min().orElse(0.5));
    out.put("forest_auroc", auroc.isEmpty() ? null : charts.forest("AUROC by slice (95% CI)",
        "AUROC (dashed line: overall)", auroc, overall, Math.floor(low * 10) / 10, 1.0,
        new double[0]));
    out.put("forest_slope", slope.isEmpty() ? null : charts.forest(
        "Calibration slope (95% CI)", "slope (dashed: perfect; red: policy limits)", slope, 1.0, 0.0,
        2.5, new double[] {policy.calibrationSlope().min(), policy.calibrationSlope().max()}));
    out.put("forest_oe", oe.isEmpty() ? null : charts.forest(
        "Observed / expected events (95% CI)", "O/E (dashed: perfect; red: policy limits)", oe, 1.0,
        0.0, 2.5, new double[] {policy.oeRatio().min(), policy.oeRatio().max()}));
  }

  private static void add(List<Charts.ForestRow> rows, String label, Map<String, Object> s,
      String metric) {
    if (s.get(metric) != null) {
      rows.add(new Charts.ForestRow(label, dbl(s.get(metric)), dbl(s.get(metric + "_ci_low")),
          dbl(s.get(metric + "_ci_high"))));
    }
  }

  /** Per operating point: the slice's rates and its parity ratios against the reference. */
  private static List<List<String>> pointRows(Map<String, Object> s,
      List<Map<String, Object>> own) {
    List<String> points = new ArrayList<>();
    own.stream().map(r -> (String) r.get("operating_point")).filter(p -> p != null)
        .distinct().forEach(points::add);
    List<List<String>> rows = new ArrayList<>();
    for (String point : points) {
      List<String> row = new ArrayList<>(List.of(label(s), point));
      for (String metric : List.of("sensitivity", "specificity", "ppv", "selection_rate")) {
        row.add(cell(find(own, metric, point), false));
      }
      for (String parity : ReportView.parityMetrics()) {
        row.add(cell(find(own, parity + "_ratio", point), true));
      }
      rows.add(row);
    }
    return rows;
  }

  /** A point row whose every value is withheld: it says no more than one line would. */
  static boolean allSuppressed(List<String> row) {
    List<String> values = row.subList(2, row.size());
    return values.contains(SUPPRESSED)
        && values.stream().allMatch(v -> v.isEmpty() || SUPPRESSED.equals(v));
  }

  /** The fully withheld point rows, one "slice at point, point" entry per slice, in order. */
  static List<String> suppressedPoints(List<List<String>> rows) {
    Map<String, List<String>> points = new LinkedHashMap<>();
    rows.stream().filter(SetView::allSuppressed).forEach(r ->
        points.computeIfAbsent(r.get(0), slice -> new ArrayList<>()).add(r.get(1)));
    return points.entrySet().stream()
        .map(e -> e.getKey() + " at " + String.join(", ", e.getValue())).toList();
  }

  private static String cell(Map<String, Object> r, boolean withCi) {
    if (r == null) {
      return "";
    }
    if (Boolean.TRUE.equals(r.get("suppressed"))) {
      return SUPPRESSED;
    }
    return withCi ? interval(r.get("value"), r.get("ci_low"), r.get("ci_high"))
        : r.get("value") == null ? NOT_AVAILABLE : number(r.get("value"), "%.3f");
  }

  private static Map<String, Object> find(List<Map<String, Object>> rows, String metric,
      String point) {
    for (Map<String, Object> r : rows) {
      if (metric.equals(r.get("metric")) && java.util.Objects.equals(point,
          r.get("operating_point")) && (point != null || r.get("threshold") == null)) {
        return r;
      }
    }
    return null;
  }

  static String label(Map<String, Object> s) {
    return SliceKey.OVERALL.equals(s.get("attribute")) ? "overall"
        : s.get("attribute") + ": " + s.get("group");
  }
}
