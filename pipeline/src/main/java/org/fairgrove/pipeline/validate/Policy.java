package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.validate.Disparities.Disparity;
import org.fairgrove.pipeline.validate.Disparities.Measure;

/**
 * Turns estimates into a verdict per slice, from the governance policy.
 *
 * <ul>
 *   <li>insufficient_data: fewer persons than governance.minimum-group-size, or fewer events or
 *       non-events than the small-cell threshold.
 *   <li>flag: any check fails: calibration slope or O/E outside its range; for a non-reference
 *       group, an AUROC below the reference's by more than max-auroc-gap (only a worse group is
 *       a harm), or a parity ratio (demographic parity, equal opportunity, predictive parity,
 *       equalized odds) outside the parity range at an operating threshold. Point estimates
 *       decide; the CIs and Holm p-values are reported beside them.
 *   <li>pass otherwise.
 * </ul>
 */
final class Policy {
  private static final Set<Measure> PARITY = Set.of(Measure.DEMOGRAPHIC_PARITY,
      Measure.EQUAL_OPPORTUNITY, Measure.PREDICTIVE_PARITY, Measure.EQUALIZED_ODDS);

  private static final double MAX_AUROC_FOR_POWER = 0.99;

  private Policy() {}

  static List<SliceVerdict> verdicts(Map<SliceKey, SliceResult> slices,
      Map<SliceKey, SliceKey> references, List<Disparity> disparities,
      GovernanceSettings policy) {
    List<SliceVerdict> out = new ArrayList<>();
    for (Map.Entry<SliceKey, SliceKey> e : references.entrySet()) {
      SliceResult slice = slices.get(e.getKey());
      SliceResult reference = slices.get(e.getValue());
      double mde = minimumDetectableAurocGap(slice, reference, slices.get(SliceKey.OVERALL_SLICE));
      if (insufficient(slice, policy)) {
        out.add(new SliceVerdict(slice.key(), e.getValue().group(),
            SliceVerdict.INSUFFICIENT_DATA, List.of(), mde));
        continue;
      }
      List<String> reasons = new ArrayList<>();
      double slope = slice.calibrationSlope();
      if (Double.isFinite(slope) && !policy.calibrationSlope().contains(slope)) {
        reasons.add("calibration_slope");
      }
      double oe = slice.observedExpected();
      if (Double.isFinite(oe) && !policy.oeRatio().contains(oe)) {
        reasons.add("oe_ratio");
      }
      boolean comparable = !slice.key().equals(reference.key()) && !insufficient(reference, policy);
      for (Disparity d : comparable ? disparities : List.<Disparity>of()) {
        if (!d.group().equals(slice.key())) {
          continue;
        }
        if (d.measure() == Measure.AUROC && -d.difference().value() > policy.maxAurocGap()) {
          reasons.add("auroc_gap");
        }
        double ratio = d.ratio().value();
        if (PARITY.contains(d.measure()) && Double.isFinite(ratio)
            && !policy.parityRatio().contains(ratio)) {
          reasons.add(d.measure().label + "@" + d.threshold());
        }
      }
      out.add(new SliceVerdict(slice.key(), e.getValue().group(),
          reasons.isEmpty() ? SliceVerdict.PASS : SliceVerdict.FLAG, List.copyOf(reasons), mde));
    }
    return out;
  }

  static boolean insufficient(SliceResult slice, GovernanceSettings policy) {
    return slice.counts().n() < policy.minimumGroupSize()
        || slice.counts().events() < policy.smallCellThreshold()
        || slice.counts().nonEvents() < policy.smallCellThreshold();
  }

  /**
   * Smallest AUROC gap detectable against the reference by a two-sided 5% z-test with 80%
   * power: (z_0.975 + z_0.80) * sqrt(V_group + V_reference), the groups independent, each
   * variance from Hanley and McNeil (1982) at the reference's AUROC A (the overall AUROC if the
   * reference has none): V = [A(1-A) + (P-1)(Q1-A^2) + (N-1)(Q2-A^2)] / (P N), Q1 = A/(2-A),
   * Q2 = 2A^2/(1+A). An approximation (it assumes the gap is small against A); infinite for a
   * slice without events or non-events. A is capped at 0.99: at 1 the formula's variance is 0,
   * and a perfectly separating reference must not make every gap look detectable.
   */
  static double minimumDetectableAurocGap(SliceResult slice, SliceResult reference,
      SliceResult overall) {
    double a = Double.isFinite(reference.auroc()) ? reference.auroc() : overall.auroc();
    if (!Double.isFinite(a)) {
      return Double.NaN;
    }
    a = Math.min(a, MAX_AUROC_FOR_POWER);
    double variance = hanleyMcNeilVariance(a, slice.counts().events(), slice.counts().nonEvents())
        + hanleyMcNeilVariance(a, reference.counts().events(), reference.counts().nonEvents());
    // Rounded up to 0.01: it is an approximation, and a precise value could help back out a
    // withheld small slice's event count from its size.
    return Math.ceil((Stats.Z_975 + Stats.Z_80) * Math.sqrt(variance) * 100) / 100;
  }

  static double hanleyMcNeilVariance(double a, double positives, double negatives) {
    if (positives == 0 || negatives == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double q1 = a / (2 - a);
    double q2 = 2 * a * a / (1 + a);
    return (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a))
        / (positives * negatives);
  }
}
