package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_divide;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * AUROC with its DeLong variance, and average precision, from counts per distinct risk value.
 *
 * <p>DeLong, DeLong and Clarke-Pearson (1988) in the mid-rank form of Sun and Xu (2014): the
 * placement value of a positive with risk v is V10(v) = (#negatives below v + 0.5 #negatives at
 * v) / N, of a negative V01(v) = (#positives above v + 0.5 #positives at v) / P. AUROC is the
 * mean of V10 over positives (= the Mann-Whitney U / PN, exact with ties), and
 * Var = S10/P + S01/N with S10, S01 the sample variances of V10 over positives and V01 over
 * negatives. Every row with the same risk has the same placement value, so after one groupBy
 * (slice, risk) the running sums over risk order (a window, O(d log d) for d distinct values)
 * give every placement value, and the variances are count-weighted sums over distinct values.
 * Nothing per row reaches the driver: one row per slice comes back.
 */
final class RankMetrics {
  private RankMetrics() {}

  /** AUROC, its DeLong variance and 95% CI (on the AUROC scale, clipped to 0..1), and AP. */
  record RankStats(double auroc, double variance, double auprc) {
    double standardError() {
      return Math.sqrt(variance);
    }

    double ciLow() {
      return Math.max(0, auroc - Stats.Z_975 * standardError());
    }

    double ciHigh() {
      return Math.min(1, auroc + Stats.Z_975 * standardError());
    }
  }

  /**
   * The distinct-value table: per (slice, risk) the positives ({@code pos}), negatives
   * ({@code neg}) and rows, and how many of the rows are invalid (label not 0/1, risk or key
   * null). Every rank and count metric is a sum over it; with tied risks it is much smaller than
   * the predictions.
   */
  static Dataset<Row> perValue(Dataset<Row> exploded) {
    Column label = col(Slices.LABEL);
    Column invalid = label.isNull().or(label.notEqual(0).and(label.notEqual(1)))
        .or(col(Slices.KEY).isNull());
    return exploded
        .groupBy(col(Slices.ATTRIBUTE), col(Slices.GROUP), col(Slices.RISK))
        .agg(sum(when(label.equalTo(1), 1.0).otherwise(0.0)).as("pos"),
            sum(when(label.equalTo(0), 1.0).otherwise(0.0)).as("neg"),
            count(lit(1)).as("rows"),
            sum(when(invalid, 1).otherwise(0)).as("invalid"));
  }

  /**
   * Every distinct (slice, risk) with its slice's positives P and negatives N, the running
   * counts up to it, and its placement values v10 and v01.
   *
   * @param perValue the output of {@link #perValue}
   */
  static Dataset<Row> placed(Dataset<Row> perValue) {
    Column[] slice = {col(Slices.ATTRIBUTE), col(Slices.GROUP)};
    WindowSpec upToValue = Window.partitionBy(slice).orderBy(col(Slices.RISK))
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    WindowSpec wholeSlice = Window.partitionBy(slice);
    Column pos = col("pos");
    Column neg = col("neg");
    return perValue
        .withColumn("P", sum(pos).over(wholeSlice)).withColumn("N", sum(neg).over(wholeSlice))
        .withColumn("cum_pos", sum(pos).over(upToValue))
        .withColumn("cum_neg", sum(neg).over(upToValue))
        // V10: negatives strictly below plus half the ties; V01: positives strictly above plus
        // half the ties.
        // try_divide: a slice without negatives (or positives) has no placement values, and
        // ANSI mode would fail the whole query on its division by zero.
        .withColumn("v10", try_divide(col("cum_neg").minus(neg).plus(neg.multiply(0.5)),
            col("N")))
        .withColumn("v01", try_divide(col("P").minus(col("cum_pos")).plus(pos.multiply(0.5)),
            col("P")));
  }

  /** @param perValue the output of {@link #perValue} */
  static Map<SliceKey, RankStats> compute(Dataset<Row> perValue) {
    Column[] slice = {col(Slices.ATTRIBUTE), col(Slices.GROUP)};
    Column pos = col("pos");
    Column neg = col("neg");
    // Precision when everything at or above this risk is selected (for AP).
    Dataset<Row> placed = placed(perValue)
        .withColumn("precision", col("P").minus(col("cum_pos")).plus(pos)
            .divide(col("P").minus(col("cum_pos")).plus(pos)
                .plus(col("N")).minus(col("cum_neg")).plus(neg)));
    List<Row> rows = placed.groupBy(slice).agg(
            first("P").as("P"), first("N").as("N"),
            sum(pos.multiply(col("v10"))).as("s10"),
            sum(pos.multiply(col("v10")).multiply(col("v10"))).as("s10_sq"),
            sum(neg.multiply(col("v01")).multiply(col("v01"))).as("s01_sq"),
            sum(pos.multiply(col("precision"))).as("ap_sum"))
        .collectAsList();
    Map<SliceKey, RankStats> out = new TreeMap<>();
    for (Row row : rows) {
      out.put(Slices.key(row), fromSums(sumOrZero(row, "P"), sumOrZero(row, "N"), sumOrZero(row, "s10"),
          sumOrZero(row, "s10_sq"), sumOrZero(row, "s01_sq"), sumOrZero(row, "ap_sum")));
    }
    return out;
  }

  /** A sum that is null when its slice had no placement values (no positives or negatives). */
  private static double sumOrZero(Row row, String field) {
    Double value = row.getAs(field);
    return value == null ? 0 : value;
  }

  /**
   * AUROC, DeLong variance and AP from the count-weighted sums over distinct risk values.
   * AUROC = sum(V10)/P; S10 = (sum(V10^2) - P AUROC^2)/(P-1), S01 likewise (mean of V01 is
   * also AUROC). NaN where a slice lacks positives or negatives.
   */
  static RankStats fromSums(double positives, double negatives, double sumV10,
      double sumV10Squared, double sumV01Squared, double sumPrecisionAtPositives) {
    if (positives == 0 || negatives == 0) {
      return new RankStats(Double.NaN, Double.NaN, Double.NaN);
    }
    double auroc = sumV10 / positives;
    double s10 = positives > 1
        ? (sumV10Squared - positives * auroc * auroc) / (positives - 1) : Double.NaN;
    double s01 = negatives > 1
        ? (sumV01Squared - negatives * auroc * auroc) / (negatives - 1) : Double.NaN;
    // Rounding can leave a variance of exactly-separated data at -1e-17.
    double variance = Math.max(0, s10 / positives + s01 / negatives);
    return new RankStats(auroc, variance, sumPrecisionAtPositives / positives);
  }
}
