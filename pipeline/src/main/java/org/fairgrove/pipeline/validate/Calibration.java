package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_divide;
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
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
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
 *       exact weighted quantiles over the distinct-value table (the smallest error whose
 *       cumulative share of the slice's predictions reaches 50% / 90%).
 * </ul>
 */
final class Calibration {
  private static final double[] KNOT_PERCENTILES = {0.05, 0.35, 0.65, 0.95};
  private static final int KNOTS = KNOT_PERCENTILES.length;
  static final String LOGIT = "logit_risk";
  /** Recalibration a + b L, started at perfect calibration (0, 1). */
  private static final GroupedLogistic.Model SLOPE = new GroupedLogistic.Model("slope", null,
      0.0, 1.0);
  /** Calibration-in-the-large: a + L, L as offset. */
  private static final GroupedLogistic.Model IN_THE_LARGE =
      new GroupedLogistic.Model("citl", LOGIT, 0.0);
  /** The smoother: 1, L and the two restricted cubic spline terms. */
  private static final GroupedLogistic.Model SPLINE = new GroupedLogistic.Model("spline", null,
      0.0, 1.0, 0.0, 0.0);

  private Calibration() {}

  /** Coefficients of the recalibration fit a + b L: used by the bootstrap's one-step update. */
  record Recalibration(double intercept, double slope) {}

  /**
   * @param slopeStandardError Wald standard error of the recalibration slope
   * @param interceptStandardError Wald standard error of the calibration intercept
   * @param smooth the smoother the ICI comes from, null where it could not be fitted
   */
  record CalibrationStats(double calibrationIntercept, Recalibration recalibration, double ici,
      double e50, double e90, double slopeStandardError, double interceptStandardError,
      Smooth smooth) {
    double slopeCiLow() {
      return recalibration.slope() - Stats.Z_975 * slopeStandardError;
    }

    double slopeCiHigh() {
      return recalibration.slope() + Stats.Z_975 * slopeStandardError;
    }
  }

  /** The fitted smoother of one slice: knots (logit scale), coefficients and information. */
  record Smooth(double[] knots, double[] coefficients, double[] information) {
    /**
     * The smoothed observed risk at {@code points} risks spread evenly in logit between the
     * outer knots (the slice's 5th and 95th risk percentiles), each with its pointwise 95%
     * band: rows of (predicted, observed, low, high).
     */
    List<double[]> curve(int points) {
      double[][] covariance = GroupedLogistic.covariance(information, SPLINE.p());
      List<double[]> out = new ArrayList<>();
      if (covariance == null) {
        return out;
      }
      double from = knots[0];
      double to = knots[KNOTS - 1];
      for (int i = 0; i < points; i++) {
        double l = points == 1 ? from : from + (to - from) * i / (points - 1);
        double[] x = basis(l, knots);
        double eta = 0;
        double variance = 0;
        for (int j = 0; j < x.length; j++) {
          eta += coefficients[j] * x[j];
          for (int k = 0; k < x.length; k++) {
            variance += x[j] * covariance[j][k] * x[k];
          }
        }
        double half = Stats.Z_975 * Math.sqrt(Math.max(0, variance));
        out.add(new double[] {Stats.sigmoid(l), Stats.sigmoid(eta), Stats.sigmoid(eta - half),
            Stats.sigmoid(eta + half)});
      }
      return out;
    }
  }

  /** The spline model's design at L: 1, L and the terms of {@link #withSplineBasis}. */
  static double[] basis(double l, double[] k) {
    double first = k[0];
    double penultimate = k[KNOTS - 2];
    double last = k[KNOTS - 1];
    double[] x = {1, l, 0, 0};
    boolean degenerate = last <= penultimate || k[1] <= first || penultimate <= k[1];
    if (degenerate) {
      return x;
    }
    double scale = (last - first) * (last - first);
    for (int j = 0; j < KNOTS - 2; j++) {
      x[j + 2] = (cube(l - k[j]) - cube(l - penultimate) * (last - k[j]) / (last - penultimate)
          + cube(l - last) * (penultimate - k[j]) / (last - penultimate)) / scale;
    }
    return x;
  }

  private static double cube(double value) {
    return value > 0 ? value * value * value : 0;
  }

  /** logit(risk) with the risk clipped away from 0 and 1 (the same rule as Stats.logit). */
  static Column logit(Column risk) {
    Column clipped = least(lit(1 - Stats.LOGIT_CLIP), greatest(lit(Stats.LOGIT_CLIP), risk));
    return log(clipped.divide(lit(1).minus(clipped)));
  }

  /** @param perValue the distinct-value table of {@link RankMetrics#perValue} */
  static Map<SliceKey, CalibrationStats> compute(Dataset<Row> perValue,
      Map<SliceKey, SliceCounts> counts) {
    // Rows with the same risk share L and every spline term: the fits and errors are weighted
    // sums over distinct values, never over individual predictions.
    Dataset<Row> base = perValue.select(col(Slices.ATTRIBUTE), col(Slices.GROUP),
        col("pos").as(GroupedLogistic.Y), col("rows").cast("double").as(GroupedLogistic.TRIALS),
        col(Slices.RISK), logit(col(Slices.RISK)).as(LOGIT)).cache();
    try {
      // Only slices with both outcomes have a finite maximum likelihood estimate.
      List<SliceKey> fittable = counts.entrySet().stream()
          .filter(e -> e.getValue().events() > 0 && e.getValue().nonEvents() > 0)
          .map(Map.Entry::getKey).toList();

      // The knots need one pass; then all three fits share each Newton pass.
      Dataset<Row> knots = knots(base).cache();
      Map<SliceKey, double[]> knotsBySlice = new HashMap<>();
      for (Row row : knots.collectAsList()) {
        double[] k = new double[KNOTS];
        for (int i = 0; i < KNOTS; i++) {
          k[i] = row.getDouble(row.fieldIndex("k" + i));
        }
        knotsBySlice.put(Slices.key(row), k);
      }
      Dataset<Row> data = withSplineBasis(base.join(broadcast(knots),
              new String[] {Slices.ATTRIBUTE, Slices.GROUP}))
          .withColumn(SLOPE.x(0), lit(1.0))
          .withColumn(SLOPE.x(1), col(LOGIT))
          .withColumn(IN_THE_LARGE.x(0), lit(1.0));
      Map<String, Map<SliceKey, double[]>> information = new HashMap<>();
      Map<String, Map<SliceKey, double[]>> fits = GroupedLogistic.fit(data,
          List.of(SLOPE, IN_THE_LARGE, SPLINE), fittable, information);
      Map<SliceKey, double[]> slope = fits.get(SLOPE.name());
      Map<SliceKey, double[]> inTheLarge = fits.get(IN_THE_LARGE.name());
      Map<SliceKey, double[]> spline = fits.get(SPLINE.name());
      Map<SliceKey, double[]> errors = absoluteErrors(data, spline);
      knots.unpersist();

      Map<SliceKey, CalibrationStats> out = new TreeMap<>();
      for (SliceKey key : counts.keySet()) {
        double[] s = slope.getOrDefault(key, nan(2));
        double[] a = inTheLarge.getOrDefault(key, nan(1));
        double[] e = errors.getOrDefault(key, nan(3));
        double[] c = spline.getOrDefault(key, nan(SPLINE.p()));
        Smooth smooth = Double.isFinite(c[0]) && knotsBySlice.containsKey(key)
            ? new Smooth(knotsBySlice.get(key), c, information(information, SPLINE, key))
            : null;
        out.put(key, new CalibrationStats(a[0], new Recalibration(s[0], s[1]), e[0], e[1], e[2],
            standardError(information, SLOPE, key, s, 1),
            standardError(information, IN_THE_LARGE, key, a, 0), smooth));
      }
      return out;
    } finally {
      base.unpersist();
    }
  }

  private static double[] information(Map<String, Map<SliceKey, double[]>> information,
      GroupedLogistic.Model model, SliceKey key) {
    return information.getOrDefault(model.name(), Map.of()).get(key);
  }

  /** The Wald standard error of coefficient j of a converged fit, NaN otherwise. */
  private static double standardError(Map<String, Map<SliceKey, double[]>> information,
      GroupedLogistic.Model model, SliceKey key, double[] coefficients, int j) {
    return Double.isFinite(coefficients[j]) ? GroupedLogistic.standardErrors(
        information(information, model, key), model.p())[j] : Double.NaN;
  }

  private static double[] nan(int size) {
    double[] out = new double[size];
    java.util.Arrays.fill(out, Double.NaN);
    return out;
  }

  /** Knots k0..k3 per slice at the spline's percentiles of logit(risk), over predictions. */
  private static Dataset<Row> knots(Dataset<Row> base) {
    List<Column> knots = new ArrayList<>();
    for (int i = 0; i < KNOTS; i++) {
      knots.add(weightedQuantile(col(LOGIT), KNOT_PERCENTILES[i]).as("k" + i));
    }
    return withCumulativeTrials(base, col(LOGIT)).groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(knots.get(0), knots.subList(1, knots.size()).toArray(Column[]::new));
  }

  /** Adds the running total of trials in {@code order} and the slice's total, per slice. */
  private static Dataset<Row> withCumulativeTrials(Dataset<Row> data, Column order) {
    Column trials = col(GroupedLogistic.TRIALS);
    WindowSpec slice = Window.partitionBy(Slices.ATTRIBUTE, Slices.GROUP);
    return data
        .withColumn("cum_trials", sum(trials).over(slice.orderBy(order)
            .rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .withColumn("total_trials", sum(trials).over(slice));
  }

  /**
   * The q-quantile of {@code value} over the slice's predictions (each row weighted by its
   * trials), exact: the smallest value whose cumulative weight reaches q of the total (the
   * inverse of the empirical CDF). Needs {@link #withCumulativeTrials} ordered by the value.
   */
  private static Column weightedQuantile(Column value, double q) {
    return min(when(col("cum_trials").geq(col("total_trials").multiply(q)), value));
  }

  /**
   * Adds the spline model's x0 = 1, x1 = L and the restricted cubic spline terms x2, x3 (Harrell's form: cubic
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
        .withColumn(SPLINE.x(0), lit(1.0))
        .withColumn(SPLINE.x(1), l);
    for (int j = 0; j < KNOTS - 2; j++) {
      Column kj = col("k" + j);
      // try_divide: with coincident knots the term is discarded, and must not fail in ANSI mode.
      Column term = try_divide(cubePlus(l.minus(kj))
          .minus(try_divide(cubePlus(l.minus(penultimate)).multiply(last.minus(kj)),
              last.minus(penultimate)))
          .plus(try_divide(cubePlus(l.minus(last)).multiply(penultimate.minus(kj)),
              last.minus(penultimate))),
          pow(last.minus(first), 2));
      out = out.withColumn(SPLINE.x(j + 2), when(degenerate, lit(0.0)).otherwise(term));
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
      eta = eta.plus(col("c" + j).multiply(col(SPLINE.x(j))));
    }
    Column smoothed = lit(1).divide(lit(1).plus(exp(eta.multiply(-1))));
    Column error = abs(smoothed.minus(col(Slices.RISK)));
    Map<SliceKey, double[]> out = new HashMap<>();
    Dataset<Row> errors = withBasis.join(broadcast(coefficients),
            new String[] {Slices.ATTRIBUTE, Slices.GROUP})
        .withColumn("error", error);
    for (Row row : withCumulativeTrials(errors, col("error"))
        .groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(sum(col("error").multiply(col(GroupedLogistic.TRIALS)))
                .divide(first("total_trials")).as("ici"),
            weightedQuantile(col("error"), 0.5).as("e50"),
            weightedQuantile(col("error"), 0.9).as("e90"))
        .collectAsList()) {
      out.put(Slices.key(row), new double[] {row.<Double>getAs("ici"), row.<Double>getAs("e50"),
          row.<Double>getAs("e90")});
    }
    return out;
  }
}
