package org.fairgrove.pipeline.validate;

/**
 * Counts at one threshold, where risk >= threshold means "selected" (predicted positive), and
 * the sum of the selected rows' risks (the expected events among them). Rates whose
 * denominator is zero are NaN.
 */
record Confusion(long tp, long fp, long fn, long tn, double selectedRisk) {
  long n() {
    return tp + fp + fn + tn;
  }

  long selected() {
    return tp + fp;
  }

  double sensitivity() {
    return ratio(tp, tp + fn);
  }

  double specificity() {
    return ratio(tn, tn + fp);
  }

  double ppv() {
    return ratio(tp, tp + fp);
  }

  double npv() {
    return ratio(tn, tn + fn);
  }

  double fpr() {
    return ratio(fp, fp + tn);
  }

  double fnr() {
    return ratio(fn, tp + fn);
  }

  double selectionRate() {
    return ratio(tp + fp, n());
  }

  /**
   * Net benefit of treating the selected (Vickers and Elkin 2006): TP/n - FP/n * t/(1-t), the
   * false positives weighted by the odds of the threshold.
   */
  double netBenefit(double threshold) {
    double n = n();
    return tp / n - fp / n * threshold / (1 - threshold);
  }

  /** Net benefit of treating everyone at this threshold (the treat-all line). */
  double netBenefitTreatAll(double threshold) {
    double n = n();
    return (tp + fn) / n - (fp + tn) / n * threshold / (1 - threshold);
  }

  static double ratio(double numerator, double denominator) {
    return denominator == 0 ? Double.NaN : numerator / denominator;
  }
}
