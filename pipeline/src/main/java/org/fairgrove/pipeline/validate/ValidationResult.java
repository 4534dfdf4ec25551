package org.fairgrove.pipeline.validate;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What validation returns: every metric of every slice (small cells already withheld) and the
 * policy's verdict per slice. A few thousand rows at most: slices x metrics.
 */
public final class ValidationResult {
  private final List<MetricRow> metrics;
  private final List<SliceVerdict> verdicts;
  private final Map<SliceKey, SmallCells.CellCounts> cells;

  ValidationResult(List<MetricRow> unsuppressed, List<SliceVerdict> verdicts,
      Map<SliceKey, SmallCells.CellCounts> cells, int smallCellThreshold) {
    this.metrics = List.copyOf(SmallCells.suppress(unsuppressed, cells, smallCellThreshold));
    this.verdicts = List.copyOf(verdicts);
    this.cells = Map.copyOf(cells);
  }

  /** Every metric row, small cells withheld. */
  public List<MetricRow> metrics() {
    return metrics;
  }

  public List<SliceVerdict> verdicts() {
    return verdicts;
  }

  /** The rows of one slice. */
  public List<MetricRow> metrics(SliceKey slice) {
    return metrics.stream().filter(r -> r.slice().equals(slice)).toList();
  }

  /** The metric table as a DataFrame (the Delta-friendly long form). */
  public Dataset<Row> table(SparkSession spark) {
    return MetricRow.toDataFrame(spark, metrics);
  }

  /** The slices validated. */
  public java.util.Set<SliceKey> slices() {
    return cells.keySet();
  }
}
