package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One metric of one slice: the long form that a Delta table of every metric stores. Nullable
 * fields are null where they do not apply (threshold, CI, p-values, reference) or where the value
 * is suppressed as a small cell ({@code suppressed} = true, value and CI null).
 *
 * @param threshold the operating or decision-curve threshold, for threshold metrics
 * @param reference the reference group's label, for disparity metrics
 */
public record MetricRow(String attribute, String group, String metric, Double threshold,
    Double value, Double ciLow, Double ciHigh, Double pValue, Double pHolm, String reference,
    boolean suppressed) {

  public static final StructType SCHEMA = new StructType()
      .add("slice_attribute", DataTypes.StringType, false)
      .add("slice_group", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, false)
      .add("threshold", DataTypes.DoubleType, true)
      .add("value", DataTypes.DoubleType, true)
      .add("ci_low", DataTypes.DoubleType, true)
      .add("ci_high", DataTypes.DoubleType, true)
      .add("p_value", DataTypes.DoubleType, true)
      .add("p_holm", DataTypes.DoubleType, true)
      .add("reference_group", DataTypes.StringType, true)
      .add("suppressed", DataTypes.BooleanType, false);

  public SliceKey slice() {
    return new SliceKey(attribute, group);
  }

  static MetricRow of(SliceKey slice, String metric, Double threshold, double value) {
    return new MetricRow(slice.attribute(), slice.group(), metric, threshold, finite(value),
        null, null, null, null, null, false);
  }

  static MetricRow withCi(SliceKey slice, String metric, Double threshold, double value,
      double ciLow, double ciHigh) {
    return new MetricRow(slice.attribute(), slice.group(), metric, threshold, finite(value),
        finite(ciLow), finite(ciHigh), null, null, null, false);
  }

  /** This row with its value, CI and p-values withheld. */
  MetricRow suppress() {
    return new MetricRow(attribute, group, metric, threshold, null, null, null, null, null,
        reference, true);
  }

  /** NaN and infinities (undefined metrics, e.g. a rate with no denominator) become null. */
  static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** The row's values in {@link #SCHEMA} order. */
  public Object[] values() {
    return new Object[] {attribute, group, metric, threshold, value, ciLow, ciHigh, pValue,
        pHolm, reference, suppressed};
  }

  /** The rows as a DataFrame with {@link #SCHEMA}, ready to append to a Delta table. */
  public static Dataset<Row> toDataFrame(SparkSession spark, List<MetricRow> rows) {
    List<Row> out = new ArrayList<>(rows.size());
    for (MetricRow r : rows) {
      out.add(RowFactory.create(r.values()));
    }
    return spark.createDataFrame(out, SCHEMA);
  }
}
