package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;
import org.fairgrove.pipeline.validate.Disparities.Disparity;

/** The long-form rows of a slice's estimates and of a disparity; metric names live here. */
final class MetricRows {
  /** Confusion counts at the risk quantiles the curves are drawn from. */
  static final String CURVE_TP = MetricRow.CURVE_PREFIX + "tp_share";
  static final String CURVE_FP = MetricRow.CURVE_PREFIX + "fp_share";
  static final String CURVE_RISK = MetricRow.CURVE_PREFIX + "selected_risk";

  private MetricRows() {}

  /**
   * @param grid the decision-curve thresholds
   * @param edges the risk quantiles the ROC and calibration curves are drawn at (with the
   *     decision-curve thresholds)
   */
  static List<MetricRow> of(SliceResult s, List<Double> grid, List<Double> edges) {
    SliceKey k = s.key();
    SliceCounts c = s.counts();
    double oe = c.observedExpected();
    double seLogOe = c.logObservedExpectedStandardError();
    List<MetricRow> rows = new ArrayList<>(List.of(
        MetricRow.of(k, "n", c.n()),
        MetricRow.of(k, "events", c.events()),
        MetricRow.of(k, "prevalence", c.prevalence()),
        MetricRow.of(k, "mean_risk", c.expected() / c.n()),
        MetricRow.withCi(k, "auroc", s.rank().auroc(), s.rank().ciLow(), s.rank().ciHigh()),
        MetricRow.of(k, "auprc", s.rank().auprc()),
        MetricRow.of(k, "brier", c.brier()),
        MetricRow.of(k, "scaled_brier", c.scaledBrier()),
        MetricRow.withCi(k, "oe_ratio", oe, oe * Math.exp(-Stats.Z_975 * seLogOe),
            oe * Math.exp(Stats.Z_975 * seLogOe)),
        MetricRow.withCi(k, "calibration_intercept", s.calibration().calibrationIntercept(),
            s.calibration().calibrationIntercept()
                - Stats.Z_975 * s.calibration().interceptStandardError(),
            s.calibration().calibrationIntercept()
                + Stats.Z_975 * s.calibration().interceptStandardError()),
        MetricRow.withCi(k, "calibration_slope", s.calibration().recalibration().slope(),
            s.calibration().slopeCiLow(), s.calibration().slopeCiHigh()),
        MetricRow.of(k, "ici", s.calibration().ici()),
        MetricRow.of(k, "e50", s.calibration().e50()),
        MetricRow.of(k, "e90", s.calibration().e90())));
    for (int i = 0; i < s.operatingPoints().size(); i++) {
      String label = s.operatingPoints().get(i).label();
      double t = s.operatingPoints().get(i).threshold();
      Confusion at = s.at(i);
      rows.add(MetricRow.at(k, "sensitivity", label, t, at.sensitivity()));
      rows.add(MetricRow.at(k, "specificity", label, t, at.specificity()));
      rows.add(MetricRow.at(k, "ppv", label, t, at.ppv()));
      rows.add(MetricRow.at(k, "npv", label, t, at.npv()));
      rows.add(MetricRow.at(k, "fpr", label, t, at.fpr()));
      rows.add(MetricRow.at(k, "fnr", label, t, at.fnr()));
      rows.add(MetricRow.at(k, "selection_rate", label, t, at.selectionRate()));
      rows.add(MetricRow.at(k, "net_benefit", label, t, at.netBenefit(t)));
    }
    for (double t : grid) {
      Confusion at = c.confusion().get(t);
      rows.add(MetricRow.at(k, "net_benefit", null, t, at.netBenefit(t)));
      rows.add(MetricRow.at(k, "net_benefit_treat_all", null, t, at.netBenefitTreatAll(t)));
    }
    // Curve points at every threshold that is not an operating point: which of the decision
    // curve's and the quantiles' thresholds the small-cell rule keeps, all serve the curves.
    java.util.TreeSet<Double> curve = new java.util.TreeSet<>(grid);
    curve.addAll(edges);
    for (double t : curve) {
      Confusion at = c.confusion().get(t);
      rows.add(MetricRow.at(k, CURVE_TP, null, t, at.sensitivity()));
      rows.add(MetricRow.at(k, CURVE_FP, null, t, at.fpr()));
      rows.add(MetricRow.at(k, CURVE_RISK, null, t, at.selectedRisk() / c.n()));
    }
    return rows;
  }

  static List<MetricRow> of(Disparity d) {
    SliceKey k = d.group();
    String reference = d.reference().group();
    return List.of(
        new MetricRow(k.attribute(), k.group(), d.measure().label + "_difference",
            d.operatingPoint(), d.threshold(), MetricRow.finite(d.difference().value()),
            MetricRow.finite(d.difference().ciLow()), MetricRow.finite(d.difference().ciHigh()),
            MetricRow.finite(d.pValue()), MetricRow.finite(d.pHolm()), reference, false, null),
        new MetricRow(k.attribute(), k.group(), d.measure().label + "_ratio",
            d.operatingPoint(), d.threshold(), MetricRow.finite(d.ratio().value()),
            MetricRow.finite(d.ratio().ciLow()), MetricRow.finite(d.ratio().ciHigh()), null, null,
            reference, false, null));
  }

  static SmallCells.CellCounts cells(SliceCounts c) {
    Map<Double, long[]> confusion = new HashMap<>();
    c.confusion().forEach((t, x) -> confusion.put(t, new long[] {x.tp(), x.fp(), x.fn(), x.tn()}));
    return new SmallCells.CellCounts(c.n(), c.events(), confusion);
  }
}
