package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.core.Errors;

/**
 * Everything per slice that is a plain sum over rows, in one aggregation over the distinct-value
 * table (every row with the same risk contributes alike): n, events, the expected events (sum of
 * risk), the Brier sum and the confusion counts at every threshold.
 */
final class CountMetrics {
  private CountMetrics() {}

  /** Per-slice sums; {@code confusion} is keyed by threshold. */
  record SliceCounts(long n, long events, double expected, double squaredErrorSum,
      Map<Double, Confusion> confusion) {
    long nonEvents() {
      return n - events;
    }

    double prevalence() {
      return (double) events / n;
    }

    double brier() {
      return squaredErrorSum / n;
    }

    /** 1 - Brier / Brier of predicting the prevalence for everyone. */
    double scaledBrier() {
      double p = prevalence();
      return 1 - brier() / (p * (1 - p));
    }

    double observedExpected() {
      return events / expected;
    }

    /**
     * Standard error of log(O/E), the expected events taken as fixed: sqrt((1 - O/n) / O)
     * (Debray et al. 2017), O binomial with the slice's observed rate. NaN without events.
     */
    double logObservedExpectedStandardError() {
      return events == 0 ? Double.NaN : Math.sqrt((1 - prevalence()) / events);
    }
  }

  /** @param perValue the distinct-value table of {@link RankMetrics#perValue} */
  static Map<SliceKey, SliceCounts> compute(Dataset<Row> perValue, List<Double> thresholds) {
    Column pos = col("pos");
    Column neg = col("neg");
    Column risk = col(Slices.RISK);
    Column badRisk = risk.isNull().or(risk.isNaN()).or(risk.lt(0)).or(risk.gt(1));
    List<Column> sums = new ArrayList<>(List.of(
        sum(pos).cast("long").as("events"),
        sum(col("rows").multiply(risk)).as("expected"),
        // Brier: a positive at risk r contributes (1 - r)^2, a negative r^2.
        sum(pos.multiply(pow(lit(1).minus(risk), 2)).plus(neg.multiply(pow(risk, 2))))
            .as("squared_error"),
        sum(when(badRisk, col("rows")).otherwise(col("invalid"))).as("invalid")));
    for (int i = 0; i < thresholds.size(); i++) {
      Column selected = risk.geq(thresholds.get(i));
      sums.add(sum(when(selected, pos).otherwise(0.0)).cast("long").as("tp" + i));
      sums.add(sum(when(selected, neg).otherwise(0.0)).cast("long").as("fp" + i));
      sums.add(sum(when(selected, col("rows").multiply(risk)).otherwise(0.0)).as("risk" + i));
    }
    List<Row> rows = perValue.groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(sum(col("rows")).as("n"), sums.toArray(Column[]::new))
        .collectAsList();
    Map<SliceKey, SliceCounts> out = new TreeMap<>();
    for (Row row : rows) {
      SliceKey key = Slices.key(row);
      long invalidRows = row.<Long>getAs("invalid");
      if (invalidRows > 0 && key.overall()) {
        throw Errors.invalidPredictions(invalidRows);
      }
      long n = row.<Long>getAs("n");
      long events = row.<Long>getAs("events");
      Map<Double, Confusion> confusion = new LinkedHashMap<>();
      for (int i = 0; i < thresholds.size(); i++) {
        long tp = row.<Long>getAs("tp" + i);
        long fp = row.<Long>getAs("fp" + i);
        confusion.put(thresholds.get(i), new Confusion(tp, fp, events - tp, n - events - fp,
            row.<Double>getAs("risk" + i)));
      }
      out.put(key, new SliceCounts(n, events, row.<Double>getAs("expected"),
          row.<Double>getAs("squared_error"), Map.copyOf(confusion)));
    }
    return out;
  }
}
