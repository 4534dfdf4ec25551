package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.GovernanceSettings;

/**
 * Two models' AUROCs on the same rows, slice by slice, and their difference with DeLong's paired
 * variance (DeLong, DeLong and Clarke-Pearson 1988):
 * Var(B - A) = (S10_A + S10_B - 2 S10_AB) / P + (S01_A + S01_B - 2 S01_AB) / N, where S10_AB is
 * the covariance over positives of the two models' placement values V10 (and S01_AB over
 * negatives of V01). Each model's placement values come from its own distinct-value table
 * ({@link RankMetrics#placed}); they are joined back to the rows by (slice, risk), so nothing
 * per row reaches the driver and the cost stays linear in rows.
 */
public final class PairedAuroc {
  /** The challenger's risk column of the paired predictions (the champion's is "risk"). */
  public static final String CHALLENGER_RISK = "challenger_risk";

  private PairedAuroc() {}

  /**
   * One slice's two AUROCs and the variance of their difference.
   *
   * @param variance Var(challenger - champion), NaN without positives and negatives
   * @param championVariance the champion's own DeLong variance
   */
  public record Difference(SliceKey slice, long positives, long negatives, double champion,
      double challenger, double variance, double championVariance) {
    /** Challenger minus champion. */
    public double difference() {
      return challenger - champion;
    }

    public double standardError() {
      return Math.sqrt(variance);
    }

    public double ciLow() {
      return difference() - Stats.Z_975 * standardError();
    }

    public double ciHigh() {
      return difference() + Stats.Z_975 * standardError();
    }

    /**
     * The change of this group's AUROC gap to its reference: (challenger - champion here) -
     * (challenger - champion in the reference). The groups' rows are disjoint, so the variances
     * add.
     */
    public Difference gapChange(Difference reference) {
      return new Difference(slice, positives, negatives, champion - reference.champion,
          challenger - reference.challenger, variance + reference.variance,
          championVariance + reference.championVariance);
    }

    /**
     * One-sided p-value of "the challenger is within the margin" (H0: difference &gt;= -margin):
     * small when the data show it is worse by more than the margin.
     */
    public double inferiorityP(double margin) {
      return Stats.lowerTail((difference() + margin) / standardError());
    }

    /** Whether the one-sided 95% lower confidence bound of the difference is above -margin. */
    public boolean withinMargin(double margin) {
      return difference() - Stats.Z_95 * standardError() > -margin;
    }

    /**
     * Whether the champion's own AUROC CI here is narrow enough to detect a shortfall of the
     * margin (a two-sided 5% test with 80% power).
     */
    public boolean championPowered(double margin) {
      return (Stats.Z_975 + Stats.Z_80) * Math.sqrt(championVariance) <= margin;
    }
  }

  /**
   * @param paired one row per held-out prediction: the key column, label, the champion's risk
   *     ("risk"), the challenger's ({@link #CHALLENGER_RISK}) and every slicing attribute
   */
  public static Map<SliceKey, Difference> compare(Dataset<Row> paired, String keyColumn,
      GovernanceSettings policy) {
    Slices.checkColumns(paired, keyColumn, policy);
    Dataset<Row> rows = Slices.exploded(Slices.labelled(paired, keyColumn, policy,
            col(CHALLENGER_RISK).cast("double").as(CHALLENGER_RISK)), policy, CHALLENGER_RISK)
        .filter(col(Slices.LABEL).isin(0, 1).and(col(Slices.RISK).isNotNull())
            .and(col(CHALLENGER_RISK).isNotNull()));
    Dataset<Row> placedRows = rows
        .join(placements(rows, Slices.RISK, "a"), joinKeys(Slices.RISK))
        .join(placements(rows, CHALLENGER_RISK, "b"), joinKeys(CHALLENGER_RISK));
    Column positive = col(Slices.LABEL).equalTo(1);
    Column negative = col(Slices.LABEL).equalTo(0);
    List<Row> sums = placedRows.groupBy(col(Slices.ATTRIBUTE), col(Slices.GROUP)).agg(
        sum(when(positive, 1L).otherwise(0L)).as("P"),
        sum(when(negative, 1L).otherwise(0L)).as("N"),
        sumOver(positive, col("a10")).as("a10"), sumOver(positive, col("b10")).as("b10"),
        sumOver(positive, col("a10").multiply(col("a10"))).as("a10_sq"),
        sumOver(positive, col("b10").multiply(col("b10"))).as("b10_sq"),
        sumOver(positive, col("a10").multiply(col("b10"))).as("ab10"),
        sumOver(negative, col("a01").multiply(col("a01"))).as("a01_sq"),
        sumOver(negative, col("b01").multiply(col("b01"))).as("b01_sq"),
        sumOver(negative, col("a01").multiply(col("b01"))).as("ab01")).collectAsList();
    Map<SliceKey, Difference> out = new TreeMap<>();
    for (Row row : sums) {
      SliceKey slice = Slices.key(row);
      out.put(slice, fromSums(slice, row));
    }
    return out;
  }

  /** Per (slice, one model's risk): that model's placement values, named v10/v01 + suffix. */
  private static Dataset<Row> placements(Dataset<Row> rows, String riskColumn, String model) {
    Dataset<Row> asRisk = rows.select(col(Slices.ATTRIBUTE), col(Slices.GROUP), col(Slices.KEY),
        col(Slices.LABEL), col(riskColumn).as(Slices.RISK));
    return RankMetrics.placed(RankMetrics.perValue(asRisk)).select(col(Slices.ATTRIBUTE),
        col(Slices.GROUP), col(Slices.RISK).as(riskColumn), col("v10").as(model + "10"),
        col("v01").as(model + "01"));
  }

  private static String[] joinKeys(String riskColumn) {
    return new String[] {Slices.ATTRIBUTE, Slices.GROUP, riskColumn};
  }

  private static Column sumOver(Column rows, Column value) {
    return sum(when(rows, value).otherwise(0.0));
  }

  /** AUROCs are the means of V10 over positives (also of V01 over negatives). */
  private static Difference fromSums(SliceKey slice, Row row) {
    long p = row.<Long>getAs("P");
    long n = row.<Long>getAs("N");
    if (p == 0 || n == 0) {
      return new Difference(slice, p, n, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double a = row.<Double>getAs("a10") / p;
    double b = row.<Double>getAs("b10") / p;
    double s10a = covariance(row.getAs("a10_sq"), a, a, p);
    double s10b = covariance(row.getAs("b10_sq"), b, b, p);
    double s10ab = covariance(row.getAs("ab10"), a, b, p);
    double s01a = covariance(row.getAs("a01_sq"), a, a, n);
    double s01b = covariance(row.getAs("b01_sq"), b, b, n);
    double s01ab = covariance(row.getAs("ab01"), a, b, n);
    // Rounding can leave the variance of two identical models at -1e-17.
    double variance = Math.max(0, (s10a + s10b - 2 * s10ab) / p + (s01a + s01b - 2 * s01ab) / n);
    return new Difference(slice, p, n, a, b, variance, Math.max(0, s10a / p + s01a / n));
  }

  /** Sample covariance from a sum of products and the two means; NaN below two values. */
  private static double covariance(double sumOfProducts, double meanX, double meanY, long count) {
    return count > 1 ? (sumOfProducts - count * meanX * meanY) / (count - 1) : Double.NaN;
  }
}
