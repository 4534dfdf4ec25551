package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Running sums within each slice in the order of a value, without a task per slice: a window over
 * a whole slice would hold the overall slice (every prediction) in one task. The values are cut
 * at their quantiles into buckets; each bucket of a slice is summed in its own window, and the
 * totals of the slice's earlier buckets (a window over one row per bucket) are added. The sums
 * are the same whatever the cuts, which only spread the work.
 */
final class RunningSums {
  private static final String BUCKET = "_rs_bucket";
  private static final String PREFIX = "_rs_";
  /** Quantile error of the cuts: they only balance the buckets, so roughly is enough. */
  private static final double CUT_ERROR = 0.01;

  private RunningSums() {}

  /**
   * Adds, for each value column v, {@code cum_v}: the sum of v over the slice's rows up to and
   * including this one in {@code order} (rows with equal order values in any order, as a window
   * with rowsBetween(unboundedPreceding, currentRow) gives them), and {@code total_v}: the
   * slice's sum.
   *
   * @param order a numeric column; nulls come first, as in an ascending window
   */
  static Dataset<Row> add(Dataset<Row> rows, String order, String... values) {
    int buckets = Integer.parseInt(rows.sparkSession().conf().get("spark.sql.shuffle.partitions"));
    Dataset<Row> bucketed = rows.withColumn(BUCKET, bucket(rows, order, buckets));
    Column[] slice = {col(Slices.ATTRIBUTE), col(Slices.GROUP)};
    List<Column> totals = new ArrayList<>();
    for (String v : values) {
      totals.add(sum(v).as(PREFIX + v));
    }
    WindowSpec earlierBuckets = Window.partitionBy(slice).orderBy(BUCKET)
        .rowsBetween(Window.unboundedPreceding(), -1);
    WindowSpec wholeSlice = Window.partitionBy(slice);
    Dataset<Row> perBucket = bucketed.groupBy(col(Slices.ATTRIBUTE), col(Slices.GROUP),
        col(BUCKET)).agg(totals.get(0), totals.subList(1, totals.size()).toArray(Column[]::new));
    List<Column> offsets = new ArrayList<>(List.of(col(Slices.ATTRIBUTE).as(PREFIX + "a"),
        col(Slices.GROUP).as(PREFIX + "g"), col(BUCKET).as(PREFIX + "b")));
    for (String v : values) {
      offsets.add(coalesce(sum(PREFIX + v).over(earlierBuckets), lit(0)).as(PREFIX + "before_" + v));
      offsets.add(sum(PREFIX + v).over(wholeSlice).as("total_" + v));
    }
    Dataset<Row> offset = perBucket.select(offsets.toArray(Column[]::new));
    Dataset<Row> joined = bucketed.join(broadcast(offset),
        col(Slices.ATTRIBUTE).eqNullSafe(col(PREFIX + "a"))
            .and(col(Slices.GROUP).eqNullSafe(col(PREFIX + "g")))
            .and(col(BUCKET).equalTo(col(PREFIX + "b"))));
    WindowSpec upToRow = Window.partitionBy(col(Slices.ATTRIBUTE), col(Slices.GROUP), col(BUCKET))
        .orderBy(col(order)).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    for (String v : values) {
      joined = joined.withColumn("cum_" + v,
          col(PREFIX + "before_" + v).plus(sum(v).over(upToRow)));
    }
    List<String> scratch = new ArrayList<>(List.of(BUCKET, PREFIX + "a", PREFIX + "g",
        PREFIX + "b"));
    Arrays.stream(values).forEach(v -> scratch.add(PREFIX + "before_" + v));
    return joined.drop(scratch.toArray(String[]::new));
  }

  /**
   * The bucket of each row: how many cuts lie below its value, the cuts being the order
   * column's quantiles at 1/n, 2/n, ... (one pass; none for an empty input, one bucket).
   */
  private static Column bucket(Dataset<Row> rows, String order, int buckets) {
    double[] probabilities = new double[Math.max(0, buckets - 1)];
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] = (i + 1.0) / buckets;
    }
    double[] cuts = probabilities.length == 0 ? new double[0]
        : rows.stat().approxQuantile(order, probabilities, CUT_ERROR);
    Column bucket = lit(0);
    for (double cut : Arrays.stream(cuts).distinct().toArray()) {
      bucket = bucket.plus(when(col(order).gt(cut), 1).otherwise(0));
    }
    return bucket;
  }
}
