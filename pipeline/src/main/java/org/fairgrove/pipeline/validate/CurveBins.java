package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.GovernanceSettings;

/**
 * Counts per slice and equal-width risk bin, the raw material of ROC and calibration curves: one
 * aggregation, slices x bins rows back on the driver (never a row per prediction).
 */
public final class CurveBins {
  private CurveBins() {}

  /** Bin {@code bin} covers risks [bin / bins, (bin + 1) / bins); the last one includes 1. */
  public record Bin(SliceKey slice, int bin, long n, long events, double riskSum) {}

  public static List<Bin> compute(Dataset<Row> predictions, String keyColumn,
      GovernanceSettings policy, int bins) {
    Slices.checkColumns(predictions, keyColumn, policy);
    Dataset<Row> exploded = Slices.exploded(Slices.labelled(predictions, keyColumn, policy),
        policy);
    List<Bin> out = new ArrayList<>();
    for (Row row : exploded
        .withColumn("bin", least(floor(col(Slices.RISK).multiply(bins)), lit(bins - 1))
            .cast("int"))
        .groupBy(col(Slices.ATTRIBUTE), col(Slices.GROUP), col("bin"))
        .agg(count(lit(1)).as("n"), sum(col(Slices.LABEL)).cast("long").as("events"),
            sum(col(Slices.RISK)).as("risk_sum"))
        .collectAsList()) {
      out.add(new Bin(Slices.key(row), row.getAs("bin"), row.getAs("n"), row.getAs("events"),
          row.getAs("risk_sum")));
    }
    return out;
  }
}
