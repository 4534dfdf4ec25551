package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.config.PolicyCheck;
import org.fairgrove.pipeline.validate.Disparities.Disparity;

/**
 * The governance policy's checks of one evaluation set, as metric rows named check_&lt;check&gt;:
 * the estimate, its 95% CI and the one-sided p-value of "beyond the policy limit". The verdicts
 * need every check of the report (Holm's adjustment runs across them), so {@link Verdicts}
 * decides them later.
 *
 * <p>Each check is tested on the scale its CI is built on: AUROC gaps and calibration slopes as
 * they are, ratios (O/E, parity) on the log scale. With limits lo and hi, the p-value is the
 * smaller of P(estimate this low | the true value at lo) and P(estimate this high | at hi),
 * normal approximations; a one-sided limit has one term.
 */
final class Checks {
  private static final double MAX_AUROC_FOR_POWER = 0.99;

  private Checks() {}

  /** A slice the policy cannot judge: too few persons, events or non-events. */
  static boolean insufficient(SliceResult slice, GovernanceSettings policy) {
    return slice.counts().n() < policy.minimumGroupSize()
        || slice.counts().events() < policy.smallCellThreshold()
        || slice.counts().nonEvents() < policy.smallCellThreshold();
  }

  /** The acceptable range of a check on its natural scale (infinite where it is one-sided). */
  static double[] limits(PolicyCheck check, GovernanceSettings policy) {
    return switch (check) {
      case AUROC_GAP -> new double[] {-policy.maxAurocGap(), Double.POSITIVE_INFINITY};
      case CALIBRATION_SLOPE -> range(policy.calibrationSlope());
      case OE_RATIO -> range(policy.oeRatio());
      case EQUALIZED_ODDS -> new double[] {policy.parityRatio().min(), Double.POSITIVE_INFINITY};
      default -> range(policy.parityRatio());
    };
  }

  /** The value that means no problem at all: no gap, a slope or ratio of one. */
  static double ideal(PolicyCheck check) {
    return check == PolicyCheck.AUROC_GAP ? 0 : 1;
  }

  /** Whether a check is tested on the log scale (a ratio). */
  static boolean logScale(PolicyCheck check) {
    return check != PolicyCheck.AUROC_GAP && check != PolicyCheck.CALIBRATION_SLOPE;
  }

  private static double[] range(GovernanceSettings.Range range) {
    return new double[] {range.min(), range.max()};
  }

  /** Every configured check of every slice of one evaluation set. */
  static List<MetricRow> of(Map<SliceKey, SliceResult> slices, Map<SliceKey, SliceKey> references,
      List<Disparity> disparities, GovernanceSettings policy) {
    List<MetricRow> out = new ArrayList<>();
    for (SliceResult slice : slices.values()) {
      boolean judged = !insufficient(slice, policy);
      if (policy.checks().contains(PolicyCheck.CALIBRATION_SLOPE)) {
        out.add(row(PolicyCheck.CALIBRATION_SLOPE, slice.key(), null, null, null,
            slice.calibrationSlope(), slice.calibration().slopeStandardError(), judged, policy));
      }
      if (policy.checks().contains(PolicyCheck.OE_RATIO)) {
        out.add(row(PolicyCheck.OE_RATIO, slice.key(), null, null, null,
            slice.observedExpected(), slice.counts().logObservedExpectedStandardError(), judged,
            policy));
      }
    }
    for (Disparity d : disparities) {
      PolicyCheck check = d.measure().check;
      if (check == null || !policy.checks().contains(check)) {
        continue;
      }
      boolean judged = !insufficient(slices.get(d.group()), policy)
          && !insufficient(slices.get(d.reference()), policy);
      boolean gap = check == PolicyCheck.AUROC_GAP;
      out.add(row(check, d.group(), d.reference().group(), d.operatingPoint(), d.threshold(),
          gap ? d.difference().value() : d.ratio().value(),
          gap ? d.difference().standardError() : d.seLogRatio(), judged, policy));
    }
    return out;
  }

  /** @param se the standard error on the test scale (log for ratios) */
  private static MetricRow row(PolicyCheck check, SliceKey slice, String reference,
      String operatingPoint, Double threshold, double estimate, double se, boolean judged,
      GovernanceSettings policy) {
    boolean log = logScale(check);
    double scaled = log ? Math.log(estimate) : estimate;
    double low = scaled - Stats.Z_975 * se;
    double high = scaled + Stats.Z_975 * se;
    boolean testable = judged && Double.isFinite(scaled) && Double.isFinite(se) && se > 0;
    double p = testable ? beyond(scaled, se, limits(check, policy), log) : Double.NaN;
    return new MetricRow(slice.attribute(), slice.group(), MetricRow.CHECK_PREFIX
        + check.configName(), operatingPoint, threshold, MetricRow.finite(estimate),
        MetricRow.finite(log ? Math.exp(low) : low), MetricRow.finite(log ? Math.exp(high) : high),
        MetricRow.finite(p), null, reference, false, null);
  }

  /** One-sided p-value of "beyond the limits" for an estimate on the test scale. */
  static double beyond(double estimate, double se, double[] limits, boolean log) {
    double p = 1;
    if (Double.isFinite(limits[0])) {
      double lo = log ? Math.log(limits[0]) : limits[0];
      p = Math.min(p, Stats.lowerTail((estimate - lo) / se));
    }
    if (Double.isFinite(limits[1])) {
      double hi = log ? Math.log(limits[1]) : limits[1];
      p = Math.min(p, Stats.lowerTail((hi - estimate) / se));
    }
    return p;
  }

  /**
   * Smallest AUROC gap detectable against the reference by a two-sided 5% z-test with 80%
   * power: (z_0.975 + z_0.80) * sqrt(V_group + V_reference), the groups independent, each
   * variance from Hanley and McNeil (1982) at the reference's AUROC A (the overall AUROC if the
   * reference has none): V = [A(1-A) + (P-1)(Q1-A^2) + (N-1)(Q2-A^2)] / (P N), Q1 = A/(2-A),
   * Q2 = 2A^2/(1+A). An approximation (it assumes the gap is small against A). A is capped at
   * 0.99: at 1 the formula's variance is 0, and a perfectly separating reference must not make
   * every gap look detectable.
   *
   * @return the gap rounded up to 0.01; infinite when no gap short of chance is detectable (the
   *     gap reaches A - 0.5, so even a model no better than chance in the group could go
   *     unseen; always so for a slice without events or non-events); NaN without any AUROC
   */
  static double minimumDetectableAurocGap(SliceResult slice, SliceResult reference,
      SliceResult overall) {
    double a = Double.isFinite(reference.auroc()) ? reference.auroc() : overall.auroc();
    return minimumDetectableAurocGap(a, slice.counts().events(), slice.counts().nonEvents(),
        reference.counts().events(), reference.counts().nonEvents());
  }

  static double minimumDetectableAurocGap(double referenceAuroc, long events, long nonEvents,
      long referenceEvents, long referenceNonEvents) {
    if (!Double.isFinite(referenceAuroc)) {
      return Double.NaN;
    }
    double a = Math.min(referenceAuroc, MAX_AUROC_FOR_POWER);
    double gap = (Stats.Z_975 + Stats.Z_80) * Math.sqrt(hanleyMcNeilVariance(a, events,
        nonEvents) + hanleyMcNeilVariance(a, referenceEvents, referenceNonEvents));
    if (!(gap < a - 0.5)) {
      return Double.POSITIVE_INFINITY;
    }
    // Rounded up to 0.01: it is an approximation, and a precise value could help back out a
    // withheld small slice's event count from its size.
    return Math.ceil(gap * 100) / 100;
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
