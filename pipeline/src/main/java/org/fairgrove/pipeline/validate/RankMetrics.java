package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_divide;

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

  static Map<SliceKey, RankStats> compute(Dataset<Row> exploded) {
    Column[] slice = {col(Slices.ATTRIBUTE), col(Slices.GROUP)};
    Dataset<Row> perValue = exploded
        .groupBy(col(Slices.ATTRIBUTE), col(Slices.GROUP), col(Slices.RISK))
        .agg(sum(col(Slices.LABEL)).cast("double").as("pos"), count(lit(1)).as("rows"))
        .withColumn("neg", col("rows").minus(col("pos")));
    WindowSpec upToValue = Window.partitionBy(slice).orderBy(col(Slices.RISK))
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    WindowSpec wholeSlice = Window.partitionBy(slice);
    Column pos = col("pos");
    Column neg = col("neg");
    Column totalPos = sum(pos).over(wholeSlice);
    Column totalNeg = sum(neg).over(wholeSlice);
    Column cumPos = sum(pos).over(upToValue);
    Column cumNeg = sum(neg).over(upToValue);
    Dataset<Row> placed = perValue
        .withColumn("P", totalPos).withColumn("N", totalNeg)
        .withColumn("cum_pos", cumPos).withColumn("cum_neg", cumNeg)
        // V10: negatives strictly below plus half the ties; V01: positives strictly above plus
        // half the ties. A slice without positives or negatives divides by zero: try_divide
        // gives null there (ANSI mode would fail the job), and fromSums reports NaN.
        .withColumn("v10", try_divide(col("cum_neg").minus(neg).plus(neg.multiply(0.5)),
            col("N")))
        .withColumn("v01", try_divide(col("P").minus(col("cum_pos")).plus(pos.multiply(0.5)),
            col("P")))
        // Precision when everything at or above this risk is selected (for AP).
        .withColumn("precision", try_divide(col("P").minus(col("cum_pos")).plus(pos),
            col("P").minus(col("cum_pos")).plus(pos)
                .plus(col("N")).minus(col("cum_neg")).plus(neg)));
    List<Row> rows = placed.groupBy(slice).agg(
            first("P").as("P"), first("N").as("N"),
            // Null (a slice without positives or negatives) is 0: fromSums gives NaN then.
            coalesce(sum(pos.multiply(col("v10"))), lit(0.0)).as("s10"),
            coalesce(sum(pos.multiply(col("v10")).multiply(col("v10"))), lit(0.0)).as("s10_sq"),
            coalesce(sum(neg.multiply(col("v01")).multiply(col("v01"))), lit(0.0)).as("s01_sq"),
            coalesce(sum(pos.multiply(col("precision"))), lit(0.0)).as("ap_sum"))
        .collectAsList();
    Map<SliceKey, RankStats> out = new TreeMap<>();
    for (Row row : rows) {
      out.put(Slices.key(row), fromSums(row.getAs("P"), row.getAs("N"), row.getAs("s10"),
          row.getAs("s10_sq"), row.getAs("s01_sq"), row.getAs("ap_sum")));
    }
    return out;
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
