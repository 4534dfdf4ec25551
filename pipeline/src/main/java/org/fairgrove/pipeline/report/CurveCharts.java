package org.fairgrove.pipeline.report;

import static org.fairgrove.pipeline.report.ReportView.list;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.report.Charts.Series;
import org.fairgrove.pipeline.report.Charts.Style;
import org.fairgrove.pipeline.validate.SliceKey;

/**
 * ROC, calibration and decision curves of one evaluation set: the overall model first (the
 * calibration curve with its smoothed fit and 95% band), then one row per attribute with a line
 * per group. Operating points are marked on the ROC and decision curves.
 */
@SuppressWarnings("unchecked")
final class CurveCharts {
  private CurveCharts() {}

  static List<Map<String, Object>> of(Map<String, Object> set, Charts charts) {
    Map<String, List<Map<String, Object>>> byAttribute = new LinkedHashMap<>();
    for (Map<String, Object> c : list(set.get("curves"))) {
      String attribute = (String) c.get("attribute");
      if (!attribute.contains(GovernanceSettings.INTERSECTION)) {
        byAttribute.computeIfAbsent(attribute, a -> new ArrayList<>()).add(c);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    byAttribute.forEach((attribute, curves) -> out.add(row(attribute, curves, charts)));
    return out;
  }

  private static Map<String, Object> row(String attribute, List<Map<String, Object>> curves,
      Charts charts) {
    boolean overall = SliceKey.OVERALL.equals(attribute);
    String name = overall ? "overall" : attribute;
    List<Series> roc = new ArrayList<>();
    List<Series> calibration = new ArrayList<>();
    List<Series> decision = new ArrayList<>();
    double calibrationTop = 0;
    double benefitTop = 0;
    double[] thresholds = {Double.POSITIVE_INFINITY, 0};
    for (int i = 0; i < curves.size(); i++) {
      Map<String, Object> c = curves.get(i);
      String group = overall ? "model" : (String) c.get("group");
      List<double[]> rocPoints = points(c.get("roc"));
      roc.add(new Series(legend(group, rocPoints), rocPoints, Style.LINE, i));
      List<double[]> markers = new ArrayList<>();
      List<double[]> benefitMarkers = new ArrayList<>();
      for (Map<String, Object> m : list(c.get("operating_points"))) {
        markers.add(new double[] {num(m.get("fpr")), num(m.get("sensitivity"))});
        benefitMarkers.add(new double[] {num(m.get("threshold")), num(m.get("net_benefit"))});
      }
      if (!markers.isEmpty()) {
        roc.add(new Series(overall ? "operating points" : null, markers, Style.POINTS, i));
        decision.add(new Series(overall ? "operating points" : null, benefitMarkers,
            Style.POINTS, i));
      }
      List<double[]> smooth = points(c.get("smooth_calibration"));
      List<double[]> bins = points(c.get("calibration"));
      if (overall && !smooth.isEmpty()) {
        calibration.add(new Series("smoothed, 95% band", smooth, Style.BAND, i));
      } else if (!overall) {
        // Its risk bins are drawn in its colour too: suppressed only when neither is there.
        calibration.add(new Series(legend(group, smooth.isEmpty() ? bins : smooth), smooth
            .stream().map(p -> new double[] {p[0], p[1]}).toList(), Style.LINE, i));
      }
      if (!bins.isEmpty()) {
        calibration.add(new Series(overall ? "risk bins" : null, bins, Style.POINTS, i));
      }
      for (List<double[]> p : List.of(smooth, bins)) {
        for (double[] xy : p) {
          calibrationTop = Math.max(calibrationTop, Math.max(xy[0], Math.min(1, xy[1])));
        }
      }
      List<double[]> benefit = points(c.get("net_benefit"));
      decision.add(new Series(legend(group, benefit), benefit, Style.LINE, i));
      for (double[] xy : benefit) {
        benefitTop = Math.max(benefitTop, xy[1]);
        thresholds[0] = Math.min(thresholds[0], xy[0]);
        thresholds[1] = Math.max(thresholds[1], xy[0]);
      }
      if (overall) {
        decision.add(new Series("treat all", points(c.get("treat_all")), Style.DASHED_LINE,
            -1));
      }
    }
    if (Double.isFinite(thresholds[0])) {
      decision.add(new Series("treat none", List.of(new double[] {thresholds[0], 0},
          new double[] {thresholds[1], 0}), Style.LINE, -1));
    }
    double top = Math.max(0.01, calibrationTop * 1.1);
    double benefit = Math.max(1e-4, benefitTop * 1.15);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("attribute", name);
    row.put("roc", charts.xy("ROC: " + name, "false positive rate", "sensitivity", roc, true,
        new double[] {0, 1}, new double[] {0, 1}));
    row.put("calibration", charts.xy("Calibration: " + name, "predicted risk", "observed rate",
        calibration, true, new double[] {0, top}, new double[] {0, top}));
    row.put("decision", charts.xy("Decision curve: " + name, "risk threshold", "net benefit",
        decision, false, new double[] {Double.isFinite(thresholds[0]) ? thresholds[0] : 0,
            thresholds[1] > 0 ? thresholds[1] : 1}, new double[] {-benefit / 2, benefit}));
    return row;
  }

  /**
   * A group's legend entry: marked suppressed where it has no points to draw (too few events at
   * every threshold), so a name in the legend always says what became of its line.
   */
  private static String legend(String group, List<double[]> points) {
    return points.isEmpty() ? group + " (" + ReportView.SUPPRESSED + ")" : group;
  }

  private static List<double[]> points(Object value) {
    List<double[]> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (List<Number> p : (List<List<Number>>) value) {
      double[] xy = new double[p.size()];
      for (int i = 0; i < xy.length; i++) {
        xy[i] = p.get(i).doubleValue();
      }
      out.add(xy);
    }
    return out;
  }

  private static double num(Object value) {
    return ((Number) value).doubleValue();
  }
}
