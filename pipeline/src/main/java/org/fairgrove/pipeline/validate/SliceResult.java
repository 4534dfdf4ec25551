package org.fairgrove.pipeline.validate;

import java.util.List;
import org.fairgrove.pipeline.train.OperatingPoints;
import org.fairgrove.pipeline.validate.Calibration.CalibrationStats;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;
import org.fairgrove.pipeline.validate.RankMetrics.RankStats;

/** Every full-data estimate of one slice; also the point-estimate view for disparities. */
record SliceResult(SliceKey key, SliceCounts counts, RankStats rank,
    CalibrationStats calibration, List<OperatingPoints.Point> operatingPoints)
    implements SliceView {

  Confusion at(int point) {
    return counts.confusion().get(operatingPoints.get(point).threshold());
  }

  double auroc() {
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
