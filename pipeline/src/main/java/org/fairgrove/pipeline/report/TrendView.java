package org.fairgrove.pipeline.report;

import static org.fairgrove.pipeline.report.ReportView.dbl;
import static org.fairgrove.pipeline.report.ReportView.interval;
import static org.fairgrove.pipeline.report.ReportView.list;
import static org.fairgrove.pipeline.report.ReportView.tally;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.validate.SliceKey;

/**
 * The report's "Over time" section, from report.json's trend object: how often the model has been
 * validated, each evaluation set's overall AUROC, O/E and calibration slope per run (a chart and
 * a table), and the slices whose AUROC dropped since the first validation.
 */
@SuppressWarnings("unchecked")
final class TrendView {
  private TrendView() {}

  static Map<String, Object> of(Map<String, Object> trend, Charts charts) {
    Map<String, Object> view = new LinkedHashMap<>();
    List<Map<String, Object>> runs = list(trend.get("runs"));
    List<Map<String, Object>> drops = list(trend.get("auroc_drops"));
    List<Map<String, Object>> overall = list(trend.get("series")).stream()
        .filter(s -> SliceKey.OVERALL.equals(s.get("attribute"))).toList();
    List<Map<String, Object>> notable = notable(drops);
    view.put("rule", trend.get("rule"));
    view.put("has_history", runs.size() > 1);
    view.put("text", text(runs, drops.size(), notable));
    view.put("headline", runs.size() > 1 ? headline(runs, notable) : null);
    view.put("chart", runs.size() > 1 ? chart(overall, runs.size(), charts) : null);
    view.put("run_rows", runRows(overall, runs));
    view.put("drop_rows", notable.stream().map(TrendView::dropRow).toList());
    return view;
  }

  /** The drops flagged or for review, in report.json. */
  static List<Map<String, Object>> notableDrops(Map<String, Object> report) {
    return notable(list(((Map<String, Object>) report.get("trend")).get("auroc_drops")));
  }

  private static List<Map<String, Object>> notable(List<Map<String, Object>> drops) {
    return drops.stream().filter(d -> !"pass".equals(d.get("verdict"))).toList();
  }

  private static String text(List<Map<String, Object>> runs, int compared,
      List<Map<String, Object>> notable) {
    if (runs.size() < 2) {
      return "This is the model's first validation, so there is nothing to compare it with yet."
          + " Each later validation (every nightly run validates the champion) adds a point to"
          + " its time series, and the first one stays the baseline a drop is measured from.";
    }
    return "Shown: " + tally(runs.size()) + " validations of this model, from "
        + time(runs.get(0)) + " (the first) to " + time(runs.get(runs.size() - 1))
        + " (this one). " + (notable.isEmpty()
            ? "No slice's AUROC has fallen beyond the margin since the first validation ("
                + tally(compared) + " slices compared)."
            : tally(notable.size()) + " of " + tally(compared) + " slices compared "
                + (notable.size() == 1 ? "has" : "have") + " an AUROC below the first"
                + " validation's by more than the margin; listed below.");
  }

  private static String headline(List<Map<String, Object>> runs,
      List<Map<String, Object>> notable) {
    return "Validated since " + date(runs.get(0)) + "; " + (notable.isEmpty()
        ? "no AUROC drop beyond the margin" : "AUROC dropped beyond the margin in "
            + tally(notable.size()) + (notable.size() == 1 ? " slice" : " slices"));
  }

  private static String date(Map<String, Object> run) {
    return ((String) run.get("validated_at")).substring(0, 10);
  }

  /** "2026-11-30 10:08 UTC": nightly runs of one day stay apart. */
  private static String time(Map<String, Object> run) {
    String at = (String) run.get("validated_at");
    return at.substring(0, 10) + " " + at.substring(11, 16) + " UTC";
  }

  /** Overall AUROC per evaluation set against the run number, its 95% CI as a band. */
  private static String chart(List<Map<String, Object>> overall, int runs, Charts charts) {
    List<Charts.Series> series = new ArrayList<>();
    int colour = 0;
    double low = 1;
    for (Map<String, Object> s : overall) {
      if (!"auroc".equals(s.get("metric"))) {
        continue;
      }
      List<double[]> line = new ArrayList<>();
      List<double[]> band = new ArrayList<>();
      List<Object> points = (List<Object>) s.get("points");
      for (int i = 0; i < points.size(); i++) {
        Map<String, Object> p = (Map<String, Object>) points.get(i);
        if (p != null) {
          line.add(new double[] {i + 1, dbl(p.get("value"))});
          band.add(new double[] {i + 1, dbl(p.get("value")), dbl(p.get("ci_low")),
              dbl(p.get("ci_high"))});
          low = Math.min(low, dbl(p.get("ci_low")));
        }
      }
      series.add(new Charts.Series(null, band, Charts.Style.BAND, colour));
      series.add(new Charts.Series((String) s.get("evaluation_set"), line, Charts.Style.LINE,
          colour++));
    }
    return charts.xy("Overall AUROC by validation run", "validation run (1 = first)",
        "AUROC (95% CI)", series, false, new double[] {1, runs},
        new double[] {Math.max(0, Math.floor(low * 10) / 10), 1}, true);
  }

  /** Per run and evaluation set: overall AUROC, O/E and calibration slope with 95% CIs. */
  private static List<List<String>> runRows(List<Map<String, Object>> overall,
      List<Map<String, Object>> runs) {
    Map<String, Map<String, List<Object>>> bySet = new LinkedHashMap<>();
    overall.forEach(s -> bySet.computeIfAbsent((String) s.get("evaluation_set"),
        k -> new LinkedHashMap<>()).put((String) s.get("metric"), (List<Object>) s.get("points")));
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      for (Map.Entry<String, Map<String, List<Object>>> set : bySet.entrySet()) {
        List<String> row = new ArrayList<>(List.of(time(runs.get(i)), set.getKey()));
        for (String metric : List.of("auroc", "oe_ratio", "calibration_slope")) {
          List<Object> points = set.getValue().get(metric);
          Map<String, Object> p = points == null ? null : (Map<String, Object>) points.get(i);
          row.add(p == null ? ReportView.NOT_AVAILABLE
              : interval(p.get("value"), p.get("ci_low"), p.get("ci_high")));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static List<String> dropRow(Map<String, Object> d) {
    Map<String, Object> first = (Map<String, Object>) d.get("first");
    Map<String, Object> latest = (Map<String, Object>) d.get("latest");
    return List.of(((String) d.get("verdict")).toUpperCase(java.util.Locale.ROOT),
        (String) d.get("evaluation_set"), d.get("attribute") + ": " + d.get("group"),
        interval(first.get("value"), first.get("ci_low"), first.get("ci_high")),
        interval(latest.get("value"), latest.get("ci_low"), latest.get("ci_high")),
        interval(d.get("difference"), d.get("ci_low"), d.get("ci_high")),
        ReportView.pValue(d.get("p_holm")));
  }
}
