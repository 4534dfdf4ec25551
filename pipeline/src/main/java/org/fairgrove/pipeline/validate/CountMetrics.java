package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
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
 * Everything per slice that is a plain sum over rows, in one aggregation: n, events, the expected
 * events (sum of risk), the Brier sum and the confusion counts at every threshold.
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
  }

  static Map<SliceKey, SliceCounts> compute(Dataset<Row> exploded, List<Double> thresholds) {
    Column label = col(Slices.LABEL);
    Column risk = col(Slices.RISK);
    Column invalid = label.isNull().or(label.notEqual(0).and(label.notEqual(1)))
        .or(risk.isNull()).or(risk.isNaN()).or(risk.lt(0)).or(risk.gt(1))
        .or(col(Slices.KEY).isNull());
    List<Column> sums = new ArrayList<>(List.of(
        sum(label).as("events"),
        sum(risk).as("expected"),
        sum(pow(risk.minus(label), 2)).as("squared_error"),
        sum(when(invalid, 1).otherwise(0)).as("invalid")));
    for (int i = 0; i < thresholds.size(); i++) {
      Column selected = risk.geq(thresholds.get(i));
      sums.add(sum(when(selected.and(label.equalTo(1)), 1).otherwise(0)).as("tp" + i));
      sums.add(sum(when(selected.and(label.equalTo(0)), 1).otherwise(0)).as("fp" + i));
    }
    List<Row> rows = exploded.groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(count(lit(1)).as("n"), sums.toArray(Column[]::new))
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
        confusion.put(thresholds.get(i), new Confusion(tp, fp, events - tp, n - events - fp));
      }
      out.put(key, new SliceCounts(n, events, row.<Double>getAs("expected"),
          row.<Double>getAs("squared_error"), Map.copyOf(confusion)));
    }
    return out;
  }
}
