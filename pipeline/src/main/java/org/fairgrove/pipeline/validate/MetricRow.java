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
 * One metric of one slice: the long form that ops.validation_metrics stores. Nullable fields are
 * null where they do not apply or where the value is withheld as a small cell ({@code suppressed}
 * = true, value, CI and p-values null).
 *
 * @param operatingPoint the operating point of a threshold metric ("top 5%"), null for a
 *     decision-curve or curve point
 * @param threshold the risk threshold of a threshold metric
 * @param pValue for a policy check ({@code check_*}), the one-sided p-value of "beyond the limit";
 *     for a disparity difference, the two-sided p-value of "no difference"
 * @param reference the reference group's label, for disparities and group checks
 * @param verdict for a policy check, pass, review, flag or insufficient_data
 */
public record MetricRow(String attribute, String group, String metric, String operatingPoint,
    Double threshold, Double value, Double ciLow, Double ciHigh, Double pValue, Double pHolm,
    String reference, boolean suppressed, String verdict) {

  /** Policy checks are metric rows named check_&lt;check&gt;. */
  public static final String CHECK_PREFIX = "check_";
  /** Curve points (confusion at risk quantiles) are metric rows named curve_&lt;...&gt;. */
  public static final String CURVE_PREFIX = "curve_";

  public static final StructType SCHEMA = new StructType()
      .add("slice_attribute", DataTypes.StringType, false)
      .add("slice_group", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, false)
      .add("operating_point", DataTypes.StringType, true)
      .add("threshold", DataTypes.DoubleType, true)
      .add("value", DataTypes.DoubleType, true)
      .add("ci_low", DataTypes.DoubleType, true)
      .add("ci_high", DataTypes.DoubleType, true)
      .add("p_value", DataTypes.DoubleType, true)
      .add("p_holm", DataTypes.DoubleType, true)
      .add("reference_group", DataTypes.StringType, true)
      .add("suppressed", DataTypes.BooleanType, false)
      .add("verdict", DataTypes.StringType, true);

  public SliceKey slice() {
    return new SliceKey(attribute, group);
  }

  public boolean isCheck() {
    return metric.startsWith(CHECK_PREFIX);
  }

  public boolean isCurve() {
    return metric.startsWith(CURVE_PREFIX);
  }

  static MetricRow of(SliceKey slice, String metric, double value) {
    return new MetricRow(slice.attribute(), slice.group(), metric, null, null, finite(value),
        null, null, null, null, null, false, null);
  }

  static MetricRow withCi(SliceKey slice, String metric, double value, double ciLow,
      double ciHigh) {
    return new MetricRow(slice.attribute(), slice.group(), metric, null, null, finite(value),
        finite(ciLow), finite(ciHigh), null, null, null, false, null);
  }

  /** A metric at a threshold: an operating point's (named) or a curve's (operatingPoint null). */
  static MetricRow at(SliceKey slice, String metric, String operatingPoint, double threshold,
      double value) {
    return new MetricRow(slice.attribute(), slice.group(), metric, operatingPoint, threshold,
        finite(value), null, null, null, null, null, false, null);
  }

  /** This row with its value, CI and p-values withheld. */
  MetricRow suppress() {
    return new MetricRow(attribute, group, metric, operatingPoint, threshold, null, null, null,
        null, null, reference, true, verdict);
  }

  MetricRow withVerdict(Double adjusted, String decided) {
    return new MetricRow(attribute, group, metric, operatingPoint, threshold, value, ciLow,
        ciHigh, pValue, adjusted, reference, suppressed, decided);
  }

  /** NaN and infinities (undefined metrics, e.g. a rate with no denominator) become null. */
  static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** The row's values in {@link #SCHEMA} order. */
  public Object[] values() {
    return new Object[] {attribute, group, metric, operatingPoint, threshold, value, ciLow,
        ciHigh, pValue, pHolm, reference, suppressed, verdict};
  }

  /** The rows as a DataFrame with {@link #SCHEMA}. */
  public static Dataset<Row> toDataFrame(SparkSession spark, List<MetricRow> rows) {
    List<Row> out = new ArrayList<>(rows.size());
    for (MetricRow r : rows) {
      out.add(RowFactory.create(r.values()));
    }
    return spark.createDataFrame(out, SCHEMA);
  }
}
