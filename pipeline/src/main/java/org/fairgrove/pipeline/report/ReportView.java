package org.fairgrove.pipeline.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.validate.SliceKey;

/**
 * The templates' context: report.json's content as display strings, tables as rows of cells, and
 * the charts as inline SVG. Only values already in report.json are shown.
 */
final class ReportView {
  static final String SUPPRESSED = "suppressed";
  static final String NOT_AVAILABLE = "n/a";
  private static final List<String> PARITY = List.of("demographic_parity", "equal_opportunity",
      "predictive_parity", "equalized_odds");
  private static final List<String> GAPS = List.of("auroc", "calibration_slope", "oe_ratio");

  private ReportView() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> of(Map<String, Object> report, GovernanceSettings policy) {
    Map<String, Object> view = new LinkedHashMap<>(report);
    Charts charts = new Charts();
    List<Map<String, Object>> sets = new ArrayList<>();
    for (Map<String, Object> set : (List<Map<String, Object>>) report.get("evaluation_sets")) {
      sets.add(set(set, policy, charts));
    }
    view.put("sets", sets);
    view.put("representativeness_table", representativeness(report));
    Map<String, Object> development = (Map<String, Object>) report.get("development");
    view.put("development_rows", count(development.get("rows"), policy));
    view.put("development_events", count(development.get("events"), policy));
    List<String> trainingAuroc = new ArrayList<>();
    ((Map<String, Object>) development.get("auroc_by_split")).forEach((split, v) ->
        trainingAuroc.add(split + " " + number(v, "%.3f")));
    view.put("training_auroc", String.join(", ", trainingAuroc));
    List<String> top = new ArrayList<>();
    for (Map<String, Object> f : (List<Map<String, Object>>) ((Map<String, Object>) report
        .get("model")).get("top_features")) {
      top.add(f.get("feature") + " (" + number(((Number) f.get("share")).doubleValue() * 100,
          "%.1f") + "% of gain)");
    }
    view.put("top_features", top);
    view.put("generated_date", ((String) report.get("generated_at")).substring(0, 10));
    view.put("threshold_list", String.join(", ", policy.thresholds().stream()
        .map(t -> number(t, "%.2f")).toList()));
    return view;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> set(Map<String, Object> set, GovernanceSettings policy,
      Charts charts) {
    Map<String, Object> out = new LinkedHashMap<>();
    String name = (String) set.get("name");
    out.put("name", name);
    out.put("title", title(set));
    List<Map<String, Object>> slices = (List<Map<String, Object>>) set.get("slices");
    List<Map<String, Object>> metrics = (List<Map<String, Object>>) set.get("metrics");

    List<List<String>> sliceRows = new ArrayList<>();
    List<Charts.ForestRow> auroc = new ArrayList<>();
    List<Charts.ForestRow> slope = new ArrayList<>();
    double overallAuroc = Double.NaN;
    for (Map<String, Object> s : slices) {
      boolean suppressed = Boolean.TRUE.equals(s.get("suppressed"));
      String label = label(s);
      sliceRows.add(List.of(label, text(s.get("reference")), status(s),
          cell(s.get("n"), suppressed, "count", policy),
          cell(s.get("events"), suppressed, "count", policy),
          cell(s.get("prevalence"), suppressed, "%.3f", policy),
          withCi(s, "auroc", suppressed), cell(s.get("auprc"), suppressed, "%.3f", policy),
          cell(s.get("brier"), suppressed, "%.3f", policy),
          cell(s.get("oe_ratio"), suppressed, "%.2f", policy),
          withCi(s, "calibration_slope", suppressed),
          cell(s.get("calibration_intercept"), suppressed, "%.2f", policy),
          cell(s.get("ici"), suppressed, "%.3f", policy),
          // A suppressed slice's detectable gap is rounded to one decimal in report.json.
          cell(s.get("minimum_detectable_auroc_gap"), false, suppressed ? "%.1f" : "%.3f",
              policy),
          readable((List<String>) s.get("reasons"))));
      if (!suppressed && s.get("auroc") != null) {
        auroc.add(new Charts.ForestRow(label, dbl(s.get("auroc")), dbl(s.get("auroc_ci_low")),
            dbl(s.get("auroc_ci_high"))));
        if ("overall".equals(s.get("attribute"))) {
          overallAuroc = dbl(s.get("auroc"));
        }
      }
      if (!suppressed && s.get("calibration_slope") != null) {
        slope.add(new Charts.ForestRow(label, dbl(s.get("calibration_slope")),
            dbl(s.get("calibration_slope_ci_low")), dbl(s.get("calibration_slope_ci_high"))));
      }
    }
    out.put("slice_rows", sliceRows);
    out.put("all_suppressed", slices.stream()
        .allMatch(s -> Boolean.TRUE.equals(s.get("suppressed"))));
    double low = Math.min(0.5, auroc.stream().mapToDouble(r -> Double.isFinite(r.ciLow())
        ? r.ciLow() : r.value()).min().orElse(0.5));
    out.put("forest_auroc", auroc.isEmpty() ? null : charts.forest("AUROC by slice (95% CI)",
        "AUROC", auroc, overallAuroc, Math.floor(low * 10) / 10, 1.0));
    out.put("forest_slope", slope.isEmpty() ? null : charts.forest(
        "Calibration slope by slice (95% CI)", "calibration slope", slope, 1.0, 0.0, 2.0));

    List<List<String>> thresholdRows = new ArrayList<>();
    List<List<String>> gapRows = new ArrayList<>();
    for (Map<String, Object> s : slices) {
      if (Boolean.TRUE.equals(s.get("suppressed"))) {
        // Every value of the slice is withheld: the slice table already says so.
        continue;
      }
      String attribute = (String) s.get("attribute");
      String group = (String) s.get("group");
      List<Map<String, Object>> own = metrics.stream()
          .filter(r -> attribute.equals(r.get("attribute")) && group.equals(r.get("group")))
          .toList();
      for (double t : policy.thresholds()) {
        List<String> row = new ArrayList<>(List.of(label(s), number(t, "%.2f")));
        for (String metric : List.of("sensitivity", "specificity", "ppv", "npv",
            "selection_rate")) {
          row.add(metricCell(own, metric, t, false));
        }
        for (String measure : PARITY) {
          row.add(metricCell(own, measure + "_ratio", t, false));
        }
        thresholdRows.add(row);
      }
      if (s.get("reference") != null && !group.equals(s.get("reference"))) {
        List<String> row = new ArrayList<>(List.of(label(s), text(s.get("reference"))));
        for (String measure : GAPS) {
          row.add(metricCell(own, measure + "_difference", null, true));
        }
        Map<String, Object> aurocGap = find(own, "auroc_difference", null);
        row.add(aurocGap == null || aurocGap.get("p_holm") == null ? NOT_AVAILABLE
            : number(aurocGap.get("p_holm"), "%.3f"));
        gapRows.add(row);
      }
    }
    out.put("threshold_rows", thresholdRows);
    out.put("gap_rows", gapRows);
    out.put("curve_charts", curveCharts(set, metrics, charts));
    return out;
  }

  /** Per attribute: ROC, calibration and decision curves of its shown groups. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> curveCharts(Map<String, Object> set,
      List<Map<String, Object>> metrics, Charts charts) {
    Map<String, List<Map<String, Object>>> byAttribute = new LinkedHashMap<>();
    for (Map<String, Object> c : (List<Map<String, Object>>) set.get("curves")) {
      String attribute = (String) c.get("attribute");
      if (!attribute.equals(SliceKey.OVERALL)
          && !attribute.contains(GovernanceSettings.INTERSECTION)) {
        byAttribute.computeIfAbsent(attribute, a -> new ArrayList<>()).add(c);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    byAttribute.forEach((attribute, curves) -> {
      List<Charts.Series> roc = new ArrayList<>();
      List<Charts.Series> calibration = new ArrayList<>();
      List<Charts.Series> decision = new ArrayList<>();
      Set<String> groups = new LinkedHashSet<>();
      for (Map<String, Object> c : curves) {
        String group = (String) c.get("group");
        groups.add(group);
        roc.add(new Charts.Series(group, xy((List<List<Number>>) c.get("roc"))));
        calibration.add(new Charts.Series(group,
            xy((List<List<Number>>) c.get("calibration"))));
        List<double[]> netBenefit = new ArrayList<>();
        for (Map<String, Object> r : metrics) {
          if (attribute.equals(r.get("attribute")) && group.equals(r.get("group"))
              && "net_benefit".equals(r.get("metric")) && r.get("value") != null) {
            netBenefit.add(new double[] {dbl(r.get("threshold")), dbl(r.get("value"))});
          }
        }
        if (!netBenefit.isEmpty()) {
          decision.add(new Charts.Series(group, netBenefit));
        }
      }
      List<double[]> treatAll = new ArrayList<>();
      for (Map<String, Object> r : metrics) {
        if (SliceKey.OVERALL.equals(r.get("attribute"))
            && "net_benefit_treat_all".equals(r.get("metric")) && r.get("value") != null) {
          treatAll.add(new double[] {dbl(r.get("threshold")), dbl(r.get("value"))});
        }
      }
      if (!treatAll.isEmpty()) {
        decision.add(new Charts.Series("treat all (overall)", treatAll));
      }
      double top = decision.stream().flatMap(s -> s.points().stream())
          .mapToDouble(p -> p[1]).max().orElse(0.1);
      Map<String, Object> chart = new LinkedHashMap<>();
      chart.put("attribute", attribute);
      chart.put("roc", charts.lines("ROC: " + attribute, "false positive rate", "sensitivity",
          roc, true, new double[] {0, 1}));
      chart.put("calibration", charts.lines("Calibration: " + attribute, "predicted risk",
          "observed rate", calibration, true, null));
      chart.put("decision", charts.lines("Decision curve: " + attribute, "threshold",
          "net benefit", decision, false, new double[] {-0.05, Math.max(0.05, top * 1.1)}));
      out.add(chart);
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<List<String>> representativeness(Map<String, Object> report) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> r : (List<Map<String, Object>>) report.get("representativeness")) {
      Map<String, Object> shares = (Map<String, Object>) r.get("shares");
      List<String> row = new ArrayList<>(List.of(r.get("attribute") + ": " + r.get("group"),
          share(shares.get(ValidationRun.DEVELOPMENT), shares.containsKey(
              ValidationRun.DEVELOPMENT))));
      String test = "test";
      row.add(share(shares.get(test), shares.containsKey(test)));
      List<String> others = new ArrayList<>();
      shares.forEach((set, v) -> {
        if (!set.equals(ValidationRun.DEVELOPMENT) && !set.equals(test)) {
          others.add(set + " " + share(v, true));
        }
      });
      row.add(String.join("; ", others));
      rows.add(row);
    }
    return rows;
  }

  /** Reason codes as words that can wrap in a narrow column: "equalized odds@0.2". */
  private static String readable(List<String> reasons) {
    return String.join(", ", reasons).replace('_', ' ');
  }

  private static String share(Object value, boolean present) {
    if (!present) {
      return "none";
    }
    return value == null ? SUPPRESSED : number(dbl(value) * 100, "%.1f") + "%";
  }

  @SuppressWarnings("unchecked")
  private static String title(Map<String, Object> set) {
    String split = (String) set.get("split");
    return switch (split) {
      case "test" -> "Internal validation (held-out test split)";
      case "temporal" -> "Temporal validation (index dates after the cutoff)";
      default -> "External validation: site " + set.get("site_id");
    };
  }

  private static String label(Map<String, Object> s) {
    return SliceKey.OVERALL.equals(s.get("attribute")) ? "overall"
        : s.get("attribute") + ": " + s.get("group");
  }

  private static String status(Map<String, Object> s) {
    return ((String) s.get("status")).replace('_', ' ');
  }

  private static String withCi(Map<String, Object> s, String metric, boolean suppressed) {
    if (suppressed) {
      return SUPPRESSED;
    }
    if (s.get(metric) == null) {
      return NOT_AVAILABLE;
    }
    String value = number(s.get(metric), "%.3f");
    return s.get(metric + "_ci_low") == null ? value : value + " (" + number(
        s.get(metric + "_ci_low"), "%.3f") + "-" + number(s.get(metric + "_ci_high"), "%.3f")
        + ")";
  }

  private static String metricCell(List<Map<String, Object>> rows, String metric, Double t,
      boolean withCi) {
    Map<String, Object> r = find(rows, metric, t);
    if (r == null) {
      return "";
    }
    if (Boolean.TRUE.equals(r.get("suppressed"))) {
      return SUPPRESSED;
    }
    if (r.get("value") == null) {
      return NOT_AVAILABLE;
    }
    String value = number(r.get("value"), "%.3f");
    return !withCi || r.get("ci_low") == null ? value : value + " (" + number(r.get("ci_low"),
        "%.3f") + " to " + number(r.get("ci_high"), "%.3f") + ")";
  }

  private static Map<String, Object> find(List<Map<String, Object>> rows, String metric,
      Double t) {
    for (Map<String, Object> r : rows) {
      if (metric.equals(r.get("metric")) && (t == null ? r.get("threshold") == null
          : r.get("threshold") != null && Math.abs(dbl(r.get("threshold")) - t) < 1e-9)) {
        return r;
      }
    }
    return null;
  }

  private static String cell(Object value, boolean suppressed, String format,
      GovernanceSettings policy) {
    if (suppressed) {
      return SUPPRESSED;
    }
    if (value == null) {
      return NOT_AVAILABLE;
    }
    return format.equals("count") ? count(value, policy) : number(value, format);
  }

  /** A count as shown: null (withheld upstream) or small never shows a number. */
  private static String count(Object value, GovernanceSettings policy) {
    return value == null ? SUPPRESSED : org.fairgrove.pipeline.core.SmallCells.show(
        ((Number) value).longValue(), policy.smallCellThreshold());
  }

  private static String number(Object value, String format) {
    return String.format(Locale.ROOT, format, ((Number) value).doubleValue());
  }

  private static String text(Object value) {
    return value == null ? "" : value.toString();
  }

  private static double dbl(Object value) {
    return value == null ? Double.NaN : ((Number) value).doubleValue();
  }

  private static List<double[]> xy(List<List<Number>> points) {
    return points.stream().map(p -> new double[] {p.get(0).doubleValue(),
        p.get(1).doubleValue()}).toList();
  }
}
