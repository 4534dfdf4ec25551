package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Logistic regression of y on x_0..x_{p-1} (with an optional offset), fitted separately in
 * every slice at once by Newton-Raphson (= IRLS for the canonical link). Each iteration is one
 * Spark aggregation of the sufficient statistics per slice, the gradient X'(y - mu) and the
 * information X'WX (p + p(p+1)/2 numbers); the p x p Newton step per slice is solved on the
 * driver. Slices drop out of the passes once converged.
 */
final class GroupedLogistic {
  static final String Y = "y";
  static final String OFFSET = "offset";
  private static final int MAX_ITERATIONS = 25;
  private static final double TOLERANCE = 1e-9;
  /**
   * Coefficients this large mean separation (no finite maximum likelihood estimate): on the
   * logit scale they are far beyond any meaningful calibration, and stopping here spares passes.
   */
  private static final double DIVERGED = 100;

  private GroupedLogistic() {}

  static String x(int j) {
    return "x" + j;
  }

  /**
   * @param data slice_attribute, slice_group, y, x0..x{p-1}, offset (cached by the caller)
   * @param start starting coefficients of the slices to fit; other slices are ignored
   * @return coefficients per slice; NaN where the fit diverged or the information was singular
   */
  static Map<SliceKey, double[]> fit(Dataset<Row> data, int p, Map<SliceKey, double[]> start) {
    return fit(data, p, start, new HashMap<>());
  }

  /**
   * As {@link #fit(Dataset, int, Map)}, also filling {@code information} with each slice's
   * packed sums (gradient, then the information matrix's upper triangle) from its last
   * iteration: at convergence the step is below the tolerance, so this is the information at
   * the estimate, whose inverse is the coefficients' covariance (see {@link #standardErrors}).
   */
  static Map<SliceKey, double[]> fit(Dataset<Row> data, int p, Map<SliceKey, double[]> start,
      Map<SliceKey, double[]> information) {
    Map<SliceKey, double[]> beta = new HashMap<>();
    start.forEach((k, v) -> beta.put(k, v.clone()));
    Map<SliceKey, double[]> active = new HashMap<>(beta);
    SparkSession spark = data.sparkSession();
    for (int iteration = 0; iteration < MAX_ITERATIONS && !active.isEmpty(); iteration++) {
      Map<SliceKey, double[]> sums = sufficientStatistics(spark, data, p, active);
      information.putAll(sums);
      Map<SliceKey, double[]> next = new HashMap<>();
      for (Map.Entry<SliceKey, double[]> e : active.entrySet()) {
        double[] s = sums.get(e.getKey());
        double[] step = s == null ? null : newtonStep(s, p);
        double[] b = e.getValue().clone();
        if (step == null) {
          Arrays.fill(b, Double.NaN);
          beta.put(e.getKey(), b);
          continue;
        }
        double largest = 0;
        for (int j = 0; j < p; j++) {
          b[j] += step[j];
          largest = Math.max(largest, Math.abs(step[j]));
        }
        boolean diverged = Arrays.stream(b).anyMatch(v -> !(Math.abs(v) < DIVERGED));
        if (diverged) {
          Arrays.fill(b, Double.NaN);
        }
        beta.put(e.getKey(), b);
        if (!diverged && largest > TOLERANCE) {
          next.put(e.getKey(), b);
        }
      }
      if (iteration == MAX_ITERATIONS - 1) {
        next.keySet().forEach(k -> Arrays.fill(beta.get(k), Double.NaN));
      }
      active = next;
    }
    return beta;
  }

  private static Map<SliceKey, double[]> sufficientStatistics(SparkSession spark,
      Dataset<Row> data, int p, Map<SliceKey, double[]> coefficients) {
    List<StructField> fields = new ArrayList<>(List.of(
        DataTypes.createStructField(Slices.ATTRIBUTE, DataTypes.StringType, false),
        DataTypes.createStructField(Slices.GROUP, DataTypes.StringType, false)));
    for (int j = 0; j < p; j++) {
      fields.add(DataTypes.createStructField("b" + j, DataTypes.DoubleType, false));
    }
    List<Row> rows = new ArrayList<>();
    coefficients.forEach((k, b) -> {
      Object[] values = new Object[p + 2];
      values[0] = k.attribute();
      values[1] = k.group();
      for (int j = 0; j < p; j++) {
        values[j + 2] = b[j];
      }
      rows.add(RowFactory.create(values));
    });
    Dataset<Row> params = spark.createDataFrame(rows, new StructType(fields.toArray(
        StructField[]::new)));
    Column eta = col(OFFSET);
    for (int j = 0; j < p; j++) {
      eta = eta.plus(col("b" + j).multiply(col(x(j))));
    }
    Column mu = lit(1).divide(lit(1).plus(exp(eta.multiply(-1))));
    Dataset<Row> scored = data
        .join(broadcast(params), new String[] {Slices.ATTRIBUTE, Slices.GROUP})
        .withColumn("mu", mu)
        .withColumn("w", col("mu").multiply(lit(1).minus(col("mu"))))
        .withColumn("r", col(Y).minus(col("mu")));
    List<Column> aggregates = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      aggregates.add(sum(col("r").multiply(col(x(j)))).as("g" + j));
    }
    for (int j = 0; j < p; j++) {
      for (int k = j; k < p; k++) {
        aggregates.add(sum(col("w").multiply(col(x(j))).multiply(col(x(k)))).as("h" + j + k));
      }
    }
    Map<SliceKey, double[]> out = new HashMap<>();
    for (Row row : scored.groupBy(Slices.ATTRIBUTE, Slices.GROUP)
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
        .collectAsList()) {
      double[] s = new double[aggregates.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = row.getDouble(i + 2);
      }
      out.put(Slices.key(row), s);
    }
    return out;
  }

  /** Wald standard errors sqrt(diag(H^-1)) from packed sums; NaN if H is singular. */
  static double[] standardErrors(double[] sums, int p) {
    double[] out = new double[p];
    java.util.Arrays.fill(out, Double.NaN);
    if (sums == null) {
      return out;
    }
    LUDecomposition lu = new LUDecomposition(information(sums, p), 1e-12);
    if (!lu.getSolver().isNonSingular()) {
      return out;
    }
    RealMatrix covariance = lu.getSolver().getInverse();
    for (int j = 0; j < p; j++) {
      out[j] = Math.sqrt(covariance.getEntry(j, j));
    }
    return out;
  }

  private static RealMatrix information(double[] sums, int p) {
    RealMatrix h = new Array2DRowRealMatrix(p, p);
    int index = p;
    for (int j = 0; j < p; j++) {
      for (int k = j; k < p; k++) {
        h.setEntry(j, k, sums[index]);
        h.setEntry(k, j, sums[index]);
        index++;
      }
    }
    return h;
  }

  /**
   * The Newton step H^-1 g from the packed sums (g_0..g_{p-1}, then the upper triangle of H row
   * by row); null if H is singular. A coefficient whose column is zero throughout the slice
   * (e.g. a spline term with coincident knots) gets a zero step instead of making H singular.
   */
  static double[] newtonStep(double[] sums, int p) {
    RealMatrix h = information(sums, p);
    for (int j = 0; j < p; j++) {
      if (h.getEntry(j, j) == 0) {
        h.setEntry(j, j, 1);
      }
    }
    LUDecomposition lu = new LUDecomposition(h, 1e-12);
    if (!lu.getSolver().isNonSingular()) {
      return null;
    }
    return lu.getSolver().solve(new ArrayRealVector(Arrays.copyOf(sums, p))).toArray();
  }
}
