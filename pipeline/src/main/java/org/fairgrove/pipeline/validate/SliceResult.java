package org.fairgrove.pipeline.validate;

import java.util.List;
import org.fairgrove.pipeline.validate.Calibration.CalibrationStats;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;
import org.fairgrove.pipeline.validate.RankMetrics.RankStats;

/** Every full-data estimate of one slice; also the point-estimate view for disparities. */
record SliceResult(SliceKey key, SliceCounts counts, RankStats rank,
    CalibrationStats calibration, List<Double> operatingThresholds) implements SliceView {

  Confusion at(int threshold) {
    return counts.confusion().get(operatingThresholds.get(threshold));
  }

  @Override
  public double auroc() {
    return rank.auroc();
  }

  @Override
  public double calibrationSlope() {
    return calibration.recalibration().slope();
  }

  @Override
  public double observedExpected() {
    return counts.observedExpected();
  }

  @Override
  public double selectionRate(int threshold) {
    return at(threshold).selectionRate();
  }

  @Override
  public double truePositiveRate(int threshold) {
    return at(threshold).sensitivity();
  }

  @Override
  public double falsePositiveRate(int threshold) {
    return at(threshold).fpr();
  }

  @Override
  public double positivePredictiveValue(int threshold) {
    return at(threshold).ppv();
  }
}
