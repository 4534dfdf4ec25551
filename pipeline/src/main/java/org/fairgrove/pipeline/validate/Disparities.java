package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.config.PolicyCheck;
import org.fairgrove.pipeline.train.OperatingPoints;

/**
 * Disparities of each group against its reference group, with CIs and Holm-adjusted p-values.
 *
 * <p>Parity notions follow Fairlearn's documentation (fairlearn.org, "Common fairness metrics"):
 * demographic parity compares selection rates P(selected); equal opportunity compares true
 * positive rates; equalized odds compares both true and false positive rates, its difference
 * being the larger of |TPR gap| and |FPR gap| and its ratio the smaller of the TPR and FPR
 * ratios, each taken as min/max of the two groups. Predictive parity compares PPV. Fairlearn
 * summarises all groups by max - min; here each group is compared with the reference, so the
 * difference is signed (group - reference) and the ratio is group / reference, except for
 * equalized odds which keeps Fairlearn's two-group form.
 *
 * <p>CIs are Wald intervals: point +- 1.96 SE for the difference, exp(log point +- 1.96
 * SE(log ratio)) for the ratio. The point estimate is the full-data value. The AUROC's SEs are
 * DeLong's: a group and its reference are disjoint, so their variances add (delta method for
 * the log ratio). Every other SE comes from the Poisson bootstrap replicates. The p-value tests
 * difference = 0 with z = point / SE; equalized odds, a maximum of absolute gaps, gets no
 * p-value (its TPR and FPR parts are tested separately). Holm's adjustment runs over all the
 * p-values of one validation.
 */
final class Disparities {
  private Disparities() {}

  /** What is compared. */
  enum Measure {
    AUROC("auroc", false, PolicyCheck.AUROC_GAP),
    CALIBRATION_SLOPE("calibration_slope", false, null),
    OBSERVED_EXPECTED("oe_ratio", false, null),
    DEMOGRAPHIC_PARITY("demographic_parity", true, PolicyCheck.DEMOGRAPHIC_PARITY),
    EQUAL_OPPORTUNITY("equal_opportunity", true, PolicyCheck.EQUAL_OPPORTUNITY),
    FALSE_POSITIVE_RATE("fpr_parity", true, PolicyCheck.FPR_PARITY),
    PREDICTIVE_PARITY("predictive_parity", true, PolicyCheck.PREDICTIVE_PARITY),
    EQUALIZED_ODDS("equalized_odds", true, PolicyCheck.EQUALIZED_ODDS);

    final String label;
    final boolean atThreshold;
    /** The policy check that judges this disparity, or null. */
    final PolicyCheck check;

    Measure(String label, boolean atThreshold, PolicyCheck check) {
      this.label = label;
      this.atThreshold = atThreshold;
      this.check = check;
    }

    private double value(SliceView v, int t) {
      return switch (this) {
        case AUROC -> throw new IllegalStateException("DeLong, not bootstrap");
        case CALIBRATION_SLOPE -> v.calibrationSlope();
        case OBSERVED_EXPECTED -> v.observedExpected();
        case DEMOGRAPHIC_PARITY -> v.selectionRate(t);
        case EQUAL_OPPORTUNITY -> v.truePositiveRate(t);
        case FALSE_POSITIVE_RATE -> v.falsePositiveRate(t);
        case PREDICTIVE_PARITY -> v.positivePredictiveValue(t);
        case EQUALIZED_ODDS -> throw new IllegalStateException("composite");
      };
    }

    double difference(SliceView group, SliceView reference, int t) {
      if (this == EQUALIZED_ODDS) {
        return Math.max(
            Math.abs(group.truePositiveRate(t) - reference.truePositiveRate(t)),
            Math.abs(group.falsePositiveRate(t) - reference.falsePositiveRate(t)));
      }
      return value(group, t) - value(reference, t);
    }

    double ratio(SliceView group, SliceView reference, int t) {
      if (this == EQUALIZED_ODDS) {
        return Math.min(
            minOverMax(group.truePositiveRate(t), reference.truePositiveRate(t)),
            minOverMax(group.falsePositiveRate(t), reference.falsePositiveRate(t)));
      }
      return Confusion.ratio(value(group, t), value(reference, t));
    }

    boolean tested() {
      return this != EQUALIZED_ODDS;
    }
  }

  private static double minOverMax(double a, double b) {
    return Confusion.ratio(Math.min(a, b), Math.max(a, b));
  }

  /**
   * One disparity of one group against its reference, at one operating point (or none).
   *
   * @param seLogRatio the standard error of log(ratio), which the policy check tests on
   */
  record Disparity(SliceKey group, SliceKey reference, Measure measure,
      OperatingPoints.Point point, Estimate difference, Estimate ratio, double seLogRatio,
      double pValue, double pHolm) {
    Disparity withHolm(double adjusted) {
      return new Disparity(group, reference, measure, point, difference, ratio, seLogRatio,
          pValue, adjusted);
    }

    Double threshold() {
      return point == null ? null : point.threshold();
    }

    String operatingPoint() {
      return point == null ? null : point.label();
    }
  }

  /** A point estimate with its standard error and 95% CI. */
  record Estimate(double value, double standardError, double ciLow, double ciHigh) {
    static Estimate wald(double value, double standardError) {
      return new Estimate(value, standardError, value - Stats.Z_975 * standardError,
          value + Stats.Z_975 * standardError);
    }

    /** A ratio's CI from the standard error of its logarithm. */
    static Estimate ratio(double value, double logStandardError) {
      return new Estimate(value, Double.NaN, value * Math.exp(-Stats.Z_975 * logStandardError),
          value * Math.exp(Stats.Z_975 * logStandardError));
    }
  }

  /**
   * @param points full-data estimates by slice; {@code sliceIndex} gives each slice's replicate
   *     index
   * @param references each non-overall slice's reference group
   */
  static List<Disparity> compute(Map<SliceKey, SliceResult> points,
      Map<SliceKey, Integer> sliceIndex, Map<SliceKey, SliceKey> references,
      PoissonBootstrap.Replicates replicates, List<OperatingPoints.Point> operatingPoints) {
    List<Disparity> out = new ArrayList<>();
    for (Map.Entry<SliceKey, SliceKey> e : references.entrySet()) {
      SliceKey group = e.getKey();
      SliceKey reference = e.getValue();
      if (group.equals(reference)) {
        continue;
      }
      for (Measure measure : Measure.values()) {
        if (measure == Measure.AUROC) {
          out.add(auroc(points.get(group), points.get(reference)));
          continue;
        }
        int count = measure.atThreshold ? operatingPoints.size() : 1;
        for (int t = 0; t < count; t++) {
          out.add(bootstrapped(measure, t, measure.atThreshold ? operatingPoints.get(t) : null,
              group, reference, points, sliceIndex, replicates));
        }
      }
    }
    double[] p = out.stream().mapToDouble(Disparity::pValue).toArray();
    double[] adjusted = Holm.adjust(p);
    List<Disparity> withHolm = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      withHolm.add(out.get(i).withHolm(adjusted[i]));
    }
    return withHolm;
  }

  /** The AUROC gap with DeLong's variances of the two disjoint groups added. */
  private static Disparity auroc(SliceResult group, SliceResult reference) {
    double a = group.auroc();
    double r = reference.auroc();
    double va = group.rank().variance();
    double vr = reference.rank().variance();
    double difference = a - r;
    double se = Math.sqrt(va + vr);
    double seLogRatio = Math.sqrt(va / (a * a) + vr / (r * r));
    double p = Stats.twoSidedP(difference / se);
    if (se == 0 && difference == 0) {
      p = 1;
    }
    return new Disparity(group.key(), reference.key(), Measure.AUROC, null,
        Estimate.wald(difference, se), Estimate.ratio(Confusion.ratio(a, r), seLogRatio),
        seLogRatio, p, Double.NaN);
  }

  private static Disparity bootstrapped(Measure measure, int t, OperatingPoints.Point point,
      SliceKey group, SliceKey reference, Map<SliceKey, SliceResult> points,
      Map<SliceKey, Integer> sliceIndex, PoissonBootstrap.Replicates replicates) {
    double difference = measure.difference(points.get(group), points.get(reference), t);
    double ratio = measure.ratio(points.get(group), points.get(reference), t);
    int g = sliceIndex.get(group);
    int r = sliceIndex.get(reference);
    Moments differences = new Moments();
    Moments logRatios = new Moments();
    for (int b = 0; b < replicates.plan().replicates(); b++) {
      SliceView gb = new SliceView.Replicate(replicates, g, b);
      SliceView rb = new SliceView.Replicate(replicates, r, b);
      double d = measure.difference(gb, rb, t);
      double q = Math.log(measure.ratio(gb, rb, t));
      // A replicate where a rate is undefined (e.g. no events drawn) carries no information.
      if (Double.isFinite(d) && Double.isFinite(q)) {
        differences.add(d);
        logRatios.add(q);
      }
    }
    double seDifference = differences.standardDeviation();
    double seLogRatio = logRatios.standardDeviation();
    double p = measure.tested() ? Stats.twoSidedP(difference / seDifference) : Double.NaN;
    if (measure.tested() && seDifference == 0 && difference == 0) {
      p = 1;
    }
    return new Disparity(group, reference, measure, point,
        Estimate.wald(difference, seDifference), Estimate.ratio(ratio, seLogRatio), seLogRatio,
        p, Double.NaN);
  }

  /** Running mean and variance (Welford), so replicates need not be stored. */
  private static final class Moments {
    int count;
    double mean;
    double m2;

    void add(double x) {
      count++;
      double delta = x - mean;
      mean += delta / count;
      m2 += delta * (x - mean);
    }

    double standardDeviation() {
      return count > 1 ? Math.sqrt(m2 / (count - 1)) : Double.NaN;
    }
  }
}
