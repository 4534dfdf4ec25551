package org.fairgrove.pipeline.validate;

/**
 * The per-slice quantities that disparities compare, read either from the full-data estimates
 * or from one bootstrap replicate, so each disparity is defined once for both. Thresholds are
 * indexes into the configured operating thresholds.
 */
interface SliceView {
  double calibrationSlope();

  double observedExpected();

  double selectionRate(int threshold);

  double truePositiveRate(int threshold);

  double falsePositiveRate(int threshold);

  double positivePredictiveValue(int threshold);

  /** One slice of one bootstrap replicate. */
  record Replicate(PoissonBootstrap.Replicates replicates, int slice, int b)
      implements SliceView {
    private double get(int stat) {
      return replicates.get(slice, stat, b);
    }

    private PoissonBootstrap.Plan plan() {
      return replicates.plan();
    }

    /** One Newton step from the full-data slope: slope + [H^-1 g]_1 for the 2x2 system. */
    @Override
    public double calibrationSlope() {
      double h00 = get(plan().calibrationStat(0));
      double h01 = get(plan().calibrationStat(1));
      double h11 = get(plan().calibrationStat(2));
      double g0 = get(plan().calibrationStat(3));
      double g1 = get(plan().calibrationStat(4));
      double determinant = h00 * h11 - h01 * h01;
      if (determinant <= 0) {
        return Double.NaN;
      }
      return plan().recalSlope()[slice] + (h00 * g1 - h01 * g0) / determinant;
    }

    @Override
    public double observedExpected() {
      return Confusion.ratio(get(PoissonBootstrap.EVENTS), get(PoissonBootstrap.EXPECTED));
    }

    private double thresholdStat(int threshold, int which) {
      return get(plan().thresholdStat(threshold, which));
    }

    @Override
    public double selectionRate(int threshold) {
      return Confusion.ratio(thresholdStat(threshold, PoissonBootstrap.SELECTED),
          get(PoissonBootstrap.N));
    }

    @Override
    public double truePositiveRate(int threshold) {
      return Confusion.ratio(thresholdStat(threshold, PoissonBootstrap.TP),
          get(PoissonBootstrap.EVENTS));
    }

    @Override
    public double falsePositiveRate(int threshold) {
      return Confusion.ratio(thresholdStat(threshold, PoissonBootstrap.FP),
          get(PoissonBootstrap.N) - get(PoissonBootstrap.EVENTS));
    }

    @Override
    public double positivePredictiveValue(int threshold) {
      return Confusion.ratio(thresholdStat(threshold, PoissonBootstrap.TP),
          thresholdStat(threshold, PoissonBootstrap.SELECTED));
    }
  }
}
