package org.fairgrove.pipeline.validate;

import org.apache.commons.math3.distribution.NormalDistribution;

/** Small numeric helpers shared by the metric classes. */
final class Stats {
  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  /** The 97.5% standard normal quantile: two-sided 95% intervals. */
  static final double Z_975 = NORMAL.inverseCumulativeProbability(0.975);
  /** The 95% standard normal quantile: one-sided 5% tests. */
  static final double Z_95 = NORMAL.inverseCumulativeProbability(0.95);
  /** The 80% standard normal quantile: 80% power. */
  static final double Z_80 = NORMAL.inverseCumulativeProbability(0.80);
  /** Risks are clipped to this distance from 0 and 1 before taking logits. */
  static final double LOGIT_CLIP = 1e-7;

  private Stats() {}

  /** Two-sided p-value of a standard normal statistic. */
  static double twoSidedP(double z) {
    return Double.isFinite(z) ? 2 * NORMAL.cumulativeProbability(-Math.abs(z)) : Double.NaN;
  }

  /** P(Z <= z) for a standard normal Z. */
  static double lowerTail(double z) {
    return NORMAL.cumulativeProbability(z);
  }

  static double logit(double p) {
    double clipped = Math.min(1 - LOGIT_CLIP, Math.max(LOGIT_CLIP, p));
    return Math.log(clipped / (1 - clipped));
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
