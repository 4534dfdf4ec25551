package org.fairgrove.pipeline.validate;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.train.OperatingPoints;

/**
 * What validation of one evaluation set returns: every metric of every slice (small cells
 * already withheld), the policy checks, and, once {@link Verdicts#decide} has seen every set of
 * the report, the verdicts. A few thousand rows at most: slices x metrics.
 */
public final class ValidationResult {
  /** What the verdicts need to know of a slice beyond its metrics. */
  record SliceInfo(String reference, boolean insufficient, double minimumDetectableAurocGap) {}

  private final String name;
  private final List<MetricRow> metrics;
  private final Map<SliceKey, SliceInfo> slices;
  private final List<OperatingPoints.Point> points;
  private final Map<SliceKey, List<double[]>> smoothCalibration;
  private final List<SliceVerdict> verdicts;

  ValidationResult(String name, List<MetricRow> metrics, Map<SliceKey, SliceInfo> slices,
      List<OperatingPoints.Point> points, Map<SliceKey, List<double[]>> smoothCalibration,
      List<SliceVerdict> verdicts) {
    this.name = name;
    this.metrics = List.copyOf(metrics);
    this.slices = Map.copyOf(slices);
    this.points = List.copyOf(points);
    this.smoothCalibration = Map.copyOf(smoothCalibration);
    this.verdicts = List.copyOf(verdicts);
  }

  ValidationResult decided(List<MetricRow> withVerdicts, List<SliceVerdict> decided) {
    return new ValidationResult(name, withVerdicts, slices, points, smoothCalibration, decided);
  }

  /** This result as the evaluation set of that name. */
  ValidationResult named(String set) {
    return new ValidationResult(set, metrics, slices, points, smoothCalibration, verdicts);
  }

  /** The evaluation set's name (test, temporal, external:S3, provided), null if unnamed. */
  public String name() {
    return name;
  }

  Map<SliceKey, SliceInfo> sliceInfo() {
    return slices;
  }

  /** Every metric row, small cells withheld. */
  public List<MetricRow> metrics() {
    return metrics;
  }

  /** The rows of one slice. */
  public List<MetricRow> metrics(SliceKey slice) {
    return metrics.stream().filter(r -> r.slice().equals(slice)).toList();
  }

  /** The slice verdicts (empty before {@link Verdicts#decide}). */
  public List<SliceVerdict> verdicts() {
    return verdicts;
  }

  /** The operating points the threshold metrics are at. */
  public List<OperatingPoints.Point> operatingPoints() {
    return points;
  }

  /**
   * The smoothed calibration curve the ICI comes from, per slice whose counts are shown: rows of
   * (predicted risk, smoothed observed risk, 95% band low, high).
   */
  public Map<SliceKey, List<double[]>> smoothCalibration() {
    return smoothCalibration;
  }

  /** The metric table as a DataFrame (the Delta-friendly long form). */
  public Dataset<Row> table(SparkSession spark) {
    return MetricRow.toDataFrame(spark, metrics);
  }

  /** The slices validated. */
  public Set<SliceKey> slices() {
    return slices.keySet();
  }
}
