package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;

/**
 * Calibration per slice: logistic recalibration on L = logit(risk), and ICI / E50 / E90.
 *
 * <ul>
 *   <li>Calibration slope (and its intercept): logit P(y=1) = a + b L. A slope below 1 means
 *       predictions too extreme.
 *   <li>Calibration intercept ("calibration-in-the-large", Van Calster et al. 2019): a in
 *       logit P(y=1) = a + L, the slope fixed at 1 (L as offset); 0 when the mean is right.
 *   <li>ICI, E50, E90 (Austin and Steyerberg 2019): mean, median and 90th percentile of
 *       |smoothed observed risk - predicted risk| over the slice's rows. The smoother is a
 *       logistic regression of y on a restricted cubic spline of L with 4 knots at the 5th,
 *       35th, 65th and 95th percentiles (Harrell's default placement). Chosen over loess, the
 *       paper's default, because it is fitted from aggregated sufficient statistics (IRLS, one
 *       pass per iteration, like the slope) whereas loess needs each point's neighbourhood; the
 *       paper reports the two smoothers giving similar ICI. The median and 90th percentile are
 *       Spark's percentile_approx (rank error at most 1/10000 of the slice).
 * </ul>
 */
final class Calibration {
  private static final double[] KNOT_PERCENTILES = {0.05, 0.35, 0.65, 0.95};
  private static final int KNOTS = KNOT_PERCENTILES.length;
  private static final int PERCENTILE_ACCURACY = 10_000;
  static final String LOGIT = "logit_risk";

  private Calibration() {}

  /** Coefficients of the recalibration fit a + b L: used by the bootstrap's one-step update. */
  record Recalibration(double intercept, double slope) {}

  /** @param slopeStandardError Wald standard error of the recalibration slope */
  record CalibrationStats(double calibrationIntercept, Recalibration recalibration, double ici,
      double e50, double e90, double slopeStandardError) {
    double slopeCiLow() {
      return recalibration.slope() - Stats.Z_975 * slopeStandardError;
    }

    double slopeCiHigh() {
      return recalibration.slope() + Stats.Z_975 * slopeStandardError;
    }
  }

  /** logit(risk) with the risk clipped away from 0 and 1 (the same rule as Stats.logit). */
  static Column logit(Column risk) {
    Column clipped = least(lit(1 - Stats.LOGIT_CLIP), greatest(lit(Stats.LOGIT_CLIP), risk));
    return log(clipped.divide(lit(1).minus(clipped)));
  }

  static Map<SliceKey, CalibrationStats> compute(Dataset<Row> exploded,
      Map<SliceKey, SliceCounts> counts) {
    Dataset<Row> base = exploded.select(col(Slices.ATTRIBUTE), col(Slices.GROUP),
        col(Slices.LABEL).cast("double").as(GroupedLogistic.Y), col(Slices.RISK),
        logit(col(Slices.RISK)).as(LOGIT)).cache();
    try {
      // Only slices with both outcomes have a finite maximum likelihood estimate.
      List<SliceKey> fittable = counts.entrySet().stream()
          .filter(e -> e.getValue().events() > 0 && e.getValue().nonEvents() > 0)
          .map(Map.Entry::getKey).toList();

      Map<SliceKey, double[]> slopeInformation = new HashMap<>();
      Map<SliceKey, double[]> slope = GroupedLogistic.fit(
          base.withColumn(GroupedLogistic.x(0), lit(1.0))
              .withColumn(GroupedLogistic.x(1), col(LOGIT))
              .withColumn(GroupedLogistic.OFFSET, lit(0.0)),
          2, starts(fittable, 0.0, 1.0), slopeInformation);
      Map<SliceKey, double[]> inTheLarge = GroupedLogistic.fit(
          base.withColumn(GroupedLogistic.x(0), lit(1.0))
              .withColumn(GroupedLogistic.OFFSET, col(LOGIT)),
          1, starts(fittable, 0.0));

      Dataset<Row> knots = knots(base);
      Dataset<Row> withBasis = withSplineBasis(base.join(broadcast(knots),
          new String[] {Slices.ATTRIBUTE, Slices.GROUP}));
      Map<SliceKey, double[]> spline = GroupedLogistic.fit(
          withBasis.withColumn(GroupedLogistic.OFFSET, lit(0.0)), KNOTS,
          starts(fittable, 0.0, 1.0, 0.0, 0.0));
      Map<SliceKey, double[]> errors = absoluteErrors(withBasis, spline);

      Map<SliceKey, CalibrationStats> out = new TreeMap<>();
      for (SliceKey key : counts.keySet()) {
        double[] s = slope.getOrDefault(key, nan(2));
        double[] e = errors.getOrDefault(key, nan(3));
        double slopeSe = Double.isFinite(s[1])
            ? GroupedLogistic.standardErrors(slopeInformation.get(key), 2)[1] : Double.NaN;
        out.put(key, new CalibrationStats(inTheLarge.getOrDefault(key, nan(1))[0],
            new Recalibration(s[0], s[1]), e[0], e[1], e[2], slopeSe));
      }
      return out;
    } finally {
      base.unpersist();
    }
  }

  private static Map<SliceKey, double[]> starts(List<SliceKey> slices, double... start) {
    Map<SliceKey, double[]> out = new HashMap<>();
    slices.forEach(k -> out.put(k, start.clone()));
    return out;
  }

  private static double[] nan(int size) {
    double[] out = new double[size];
    java.util.Arrays.fill(out, Double.NaN);
    return out;
  }

  /** Knots k0..k3 per slice at the spline's percentiles of logit(risk). */
  private static Dataset<Row> knots(Dataset<Row> base) {
    Column percentiles = percentile_approx(col(LOGIT),
        lit(KNOT_PERCENTILES), lit(PERCENTILE_ACCURACY));
    Dataset<Row> perSlice = base.groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(percentiles.as("knots"));
    List<Column> columns = new ArrayList<>(List.of(col(Slices.ATTRIBUTE), col(Slices.GROUP)));
    for (int i = 0; i < KNOTS; i++) {
      columns.add(col("knots").getItem(i).cast("double").as("k" + i));
    }
    return perSlice.select(columns.toArray(Column[]::new));
  }

  /**
   * Adds x0 = 1, x1 = L and the restricted cubic spline terms x2, x3 (Harrell's form: cubic
   * between the knots, linear beyond the outer ones, scaled by the squared knot range). With
   * coincident knots (heavily tied risks) the spline terms are 0 and the curve is the linear
   * logistic recalibration.
   */
  static Dataset<Row> withSplineBasis(Dataset<Row> withKnots) {
    Column l = col(LOGIT);
    Column first = col("k0");
    Column last = col("k" + (KNOTS - 1));
    Column penultimate = col("k" + (KNOTS - 2));
    Column degenerate = last.leq(penultimate).or(col("k1").leq(first))
        .or(penultimate.leq(col("k1")));
    Dataset<Row> out = withKnots
        .withColumn(GroupedLogistic.x(0), lit(1.0))
        .withColumn(GroupedLogistic.x(1), l);
    for (int j = 0; j < KNOTS - 2; j++) {
      Column kj = col("k" + j);
      Column term = cubePlus(l.minus(kj))
          .minus(cubePlus(l.minus(penultimate)).multiply(last.minus(kj))
              .divide(last.minus(penultimate)))
          .plus(cubePlus(l.minus(last)).multiply(penultimate.minus(kj))
              .divide(last.minus(penultimate)))
          .divide(pow(last.minus(first), 2));
      out = out.withColumn(GroupedLogistic.x(j + 2), when(degenerate, lit(0.0)).otherwise(term));
    }
    return out;
  }

  private static Column cubePlus(Column value) {
    return pow(greatest(value, lit(0.0)), 3);
  }

  /** Per slice: mean, median and 90th percentile of |smoothed observed - predicted risk|. */
  private static Map<SliceKey, double[]> absoluteErrors(Dataset<Row> withBasis,
      Map<SliceKey, double[]> spline) {
    List<StructField> fields = new ArrayList<>(List.of(
        DataTypes.createStructField(Slices.ATTRIBUTE, DataTypes.StringType, false),
        DataTypes.createStructField(Slices.GROUP, DataTypes.StringType, false)));
    for (int j = 0; j < KNOTS; j++) {
      fields.add(DataTypes.createStructField("c" + j, DataTypes.DoubleType, false));
    }
    List<Row> rows = new ArrayList<>();
    spline.forEach((k, c) -> {
      if (!Double.isNaN(c[0])) {
        rows.add(RowFactory.create(k.attribute(), k.group(), c[0], c[1], c[2], c[3]));
      }
    });
    Dataset<Row> coefficients = withBasis.sparkSession()
        .createDataFrame(rows, new StructType(fields.toArray(StructField[]::new)));
    Column eta = lit(0.0);
    for (int j = 0; j < KNOTS; j++) {
      eta = eta.plus(col("c" + j).multiply(col(GroupedLogistic.x(j))));
    }
    Column smoothed = lit(1).divide(lit(1).plus(exp(eta.multiply(-1))));
    Column error = abs(smoothed.minus(col(Slices.RISK)));
    Map<SliceKey, double[]> out = new HashMap<>();
    for (Row row : withBasis.join(broadcast(coefficients),
            new String[] {Slices.ATTRIBUTE, Slices.GROUP})
        .withColumn("error", error)
        .groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(avg("error").as("ici"), percentile_approx(col("error"), lit(new double[] {0.5, 0.9}),
            lit(PERCENTILE_ACCURACY)).as("quantiles"))
        .collectAsList()) {
      List<Double> quantiles = row.getList(row.fieldIndex("quantiles"));
      out.put(Slices.key(row), new double[] {row.<Double>getAs("ici"), quantiles.get(0),
          quantiles.get(1)});
    }
    return out;
  }
}
