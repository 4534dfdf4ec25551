package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;
import org.fairgrove.pipeline.validate.Disparities.Disparity;

/** The long-form rows of a slice's estimates and of a disparity; metric names live here. */
final class MetricRows {
  private MetricRows() {}

  static List<MetricRow> of(SliceResult s, GovernanceSettings policy) {
    SliceKey k = s.key();
    SliceCounts c = s.counts();
    List<MetricRow> rows = new ArrayList<>(List.of(
        MetricRow.of(k, "n", null, c.n()),
        MetricRow.of(k, "events", null, c.events()),
        MetricRow.of(k, "prevalence", null, c.prevalence()),
        MetricRow.withCi(k, "auroc", null, s.rank().auroc(), s.rank().ciLow(),
            s.rank().ciHigh()),
        MetricRow.of(k, "auprc", null, s.rank().auprc()),
        MetricRow.of(k, "brier", null, c.brier()),
        MetricRow.of(k, "scaled_brier", null, c.scaledBrier()),
        MetricRow.of(k, "oe_ratio", null, c.observedExpected()),
        MetricRow.of(k, "calibration_intercept", null, s.calibration().calibrationIntercept()),
        MetricRow.withCi(k, "calibration_slope", null,
            s.calibration().recalibration().slope(), s.calibration().slopeCiLow(),
            s.calibration().slopeCiHigh()),
        MetricRow.of(k, "ici", null, s.calibration().ici()),
        MetricRow.of(k, "e50", null, s.calibration().e50()),
        MetricRow.of(k, "e90", null, s.calibration().e90())));
    for (double t : policy.thresholds()) {
      Confusion at = c.confusion().get(t);
      rows.add(MetricRow.of(k, "sensitivity", t, at.sensitivity()));
      rows.add(MetricRow.of(k, "specificity", t, at.specificity()));
      rows.add(MetricRow.of(k, "ppv", t, at.ppv()));
      rows.add(MetricRow.of(k, "npv", t, at.npv()));
      rows.add(MetricRow.of(k, "fpr", t, at.fpr()));
      rows.add(MetricRow.of(k, "fnr", t, at.fnr()));
      rows.add(MetricRow.of(k, "selection_rate", t, at.selectionRate()));
    }
    for (double t : policy.netBenefitThresholds()) {
      Confusion at = c.confusion().get(t);
      rows.add(MetricRow.of(k, "net_benefit", t, at.netBenefit(t)));
      rows.add(MetricRow.of(k, "net_benefit_treat_all", t, at.netBenefitTreatAll(t)));
      rows.add(MetricRow.of(k, "net_benefit_treat_none", t, 0.0));
    }
    return rows;
  }

  static List<MetricRow> of(Disparity d) {
    SliceKey k = d.group();
    String reference = d.reference().group();
    return List.of(
        new MetricRow(k.attribute(), k.group(), d.measure().label + "_difference", d.threshold(),
            MetricRow.finite(d.difference().value()), MetricRow.finite(d.difference().ciLow()),
            MetricRow.finite(d.difference().ciHigh()), MetricRow.finite(d.pValue()),
            MetricRow.finite(d.pHolm()), reference, false),
        new MetricRow(k.attribute(), k.group(), d.measure().label + "_ratio", d.threshold(),
            MetricRow.finite(d.ratio().value()), MetricRow.finite(d.ratio().ciLow()),
            MetricRow.finite(d.ratio().ciHigh()), null, null, reference, false));
  }

  static SmallCells.CellCounts cells(SliceCounts c) {
    Map<Double, long[]> confusion = new HashMap<>();
    c.confusion().forEach((t, x) -> confusion.put(t, new long[] {x.tp(), x.fp(), x.fn(), x.tn()}));
    return new SmallCells.CellCounts(c.n(), c.events(), confusion);
  }
}
