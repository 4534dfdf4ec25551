package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Logistic regressions (binomial: y events of n trials per data row, so the rows of the
 * distinct-value table can be fitted directly) fitted separately in every slice, several models at
 * once, by Newton-Raphson (= IRLS for the canonical link). The rows are cached once as arrays; each
 * iteration is then one Spark job summing the sufficient statistics of every model and slice, the
 * gradient X'(y - mu) and the information X'WX (p + p(p+1)/2 numbers per model) and the deviance;
 * each p x p Newton step is solved on the driver. A step that raises the deviance is halved back
 * towards the last point that did not (as R's glm2 does): a plain Newton step from the start can
 * overshoot without bound when the risks are extreme (an overfitted model's), and the fit would
 * fail where the estimate exists. Slices drop out of the passes once all their models have
 * converged.
 */
final class GroupedLogistic {
  /** Events and trials of each data row (binomial form: a row may stand for many predictions). */
  static final String Y = "y";
  static final String TRIALS = "trials";
  private static final String SLICE_INDEX = "slice_index";
  /** Passes at most, Newton steps and halvings together (a fit that needs more costs as before). */
  private static final int MAX_ITERATIONS = 25;
  private static final double TOLERANCE = 1e-9;
  /** A deviance this much (relative) above the last accepted one is a rise, not rounding. */
  private static final double DEVIANCE_SLACK = 1e-10;
  /**
   * Coefficients this large, reached with a falling deviance, mean separation (no finite maximum
   * likelihood estimate): on the logit scale they are far beyond any meaningful calibration, and
   * stopping here spares passes. A step is shortened to land within twice this.
   */
  private static final double DIVERGED = 100;

  private GroupedLogistic() {}

  /**
   * One model: logit P(y=1) = offset + sum_j b_j x_j, its design columns named
   * {@code <name>_x<j>} in the data, started from {@code start}.
   *
   * @param offset the offset column's name, or null for none
   */
  record Model(String name, String offset, double... start) {
    int p() {
      return start.length;
    }

    String x(int j) {
      return name + "_x" + j;
    }
  }

  /**
   * @param data slice_attribute, slice_group, y, trials and every model's design and offset columns
   *     (read once, into the cached arrays the passes sum)
   * @param slices the slices to fit; rows of other slices are ignored
   * @return per model name, coefficients per slice; NaN where the fit diverged, did not
   *     converge or the information was singular
   */
  static Map<String, Map<SliceKey, double[]>> fit(Dataset<Row> data, List<Model> models,
      List<SliceKey> slices) {
    return fit(data, models, slices, new HashMap<>());
  }

  /**
   * As {@link #fit(Dataset, List, List)}, also filling {@code information} (per model name and
   * slice) with the packed sums of the last iteration: at convergence the step is below the
   * tolerance, so this is the information at the estimate, whose inverse is the coefficients'
   * covariance ({@link #standardErrors}).
   */
  static Map<String, Map<SliceKey, double[]>> fit(Dataset<Row> data, List<Model> models,
      List<SliceKey> slices, Map<String, Map<SliceKey, double[]>> information) {
    Map<String, Map<SliceKey, Path>> paths = new HashMap<>();
    for (Model m : models) {
      Map<SliceKey, Path> start = new HashMap<>();
      slices.forEach(k -> start.put(k, new Path(m.start())));
      paths.put(m.name(), start);
    }
    JavaRDD<double[]> design = design(data, models, slices);
    try {
      iterate(design, models, slices, paths, information);
    } finally {
      design.unpersist(false);
    }
    Map<String, Map<SliceKey, double[]>> beta = new HashMap<>();
    // Not converged within the iteration limit: no estimate.
    paths.forEach((name, byKey) -> byKey.forEach((k, path) -> beta
        .computeIfAbsent(name, n -> new HashMap<>()).put(k, path.running ? nan(path.beta)
            : path.beta)));
    return beta;
  }

  /** Newton passes until every path has stopped or the limit is reached. */
  private static void iterate(JavaRDD<double[]> design, List<Model> models,
      List<SliceKey> slices, Map<String, Map<SliceKey, Path>> paths,
      Map<String, Map<SliceKey, double[]>> information) {
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      Set<SliceKey> running = new HashSet<>();
      paths.values().forEach(byKey -> byKey.forEach((k, path) -> {
        if (path.running) {
          running.add(k);
        }
      }));
      if (running.isEmpty()) {
        break;
      }
      Map<SliceKey, double[]> sums =
          sufficientStatistics(design, models, paths, slices, running);
      int offset = 0;
      for (Model m : models) {
        int size = statistics(m.p());
        for (Map.Entry<SliceKey, Path> e : paths.get(m.name()).entrySet()) {
          double[] s = sums.get(e.getKey());
          if (e.getValue().running) {
            double[] own = s == null ? null : Arrays.copyOfRange(s, offset, offset + size);
            if (e.getValue().advance(own, s == null ? Double.NaN : s[offset + size], m.p())) {
              information.computeIfAbsent(m.name(), name -> new HashMap<>())
                  .put(e.getKey(), own);
            }
          }
        }
        offset += size + 1;
      }
    }
  }

  private static double[] nan(double[] like) {
    double[] out = new double[like.length];
    Arrays.fill(out, Double.NaN);
    return out;
  }

  /**
   * One model's Newton path in one slice: the point the next pass evaluates, and the last point
   * whose deviance did not rise (the one a rise is halved back towards).
   */
  private static final class Path {
    final double[] beta;
    double[] accepted;
    double acceptedDeviance = Double.POSITIVE_INFINITY;
    boolean running = true;

    Path(double[] start) {
      beta = start.clone();
    }

    /**
     * Takes the pass's sums at {@link #beta}: halves the step back if the deviance rose,
     * otherwise accepts the point and steps from it.
     *
     * @return whether the point was accepted (its sums are the information there)
     */
    boolean advance(double[] sums, double deviance, int p) {
      boolean rose = !(deviance <= acceptedDeviance
          + DEVIANCE_SLACK * (Math.abs(deviance) + 0.1));
      if (rose) {
        if (accepted == null) {
          fail();
        } else {
          for (int j = 0; j < p; j++) {
            beta[j] = (accepted[j] + beta[j]) / 2;
          }
        }
        return false;
      }
      accepted = beta.clone();
      acceptedDeviance = deviance;
      double[] step = newtonStep(sums, p);
      if (step == null || Arrays.stream(beta).anyMatch(v -> !(Math.abs(v) < DIVERGED))) {
        fail();
        return true;
      }
      double largest = Arrays.stream(step).map(Math::abs).max().orElse(0);
      // Shortened, not refused, when it would land far out: the deviance there decides.
      double scale = 1;
      while (!(largestAfter(step, scale) < 2 * DIVERGED)) {
        scale /= 2;
      }
      for (int j = 0; j < p; j++) {
        beta[j] += scale * step[j];
      }
      running = largest > TOLERANCE;
      return true;
    }

    private double largestAfter(double[] step, double scale) {
      double largest = 0;
      for (int j = 0; j < step.length; j++) {
        largest = Math.max(largest, Math.abs(accepted[j] + scale * step[j]));
      }
      return largest;
    }

    private void fail() {
      Arrays.fill(beta, Double.NaN);
      running = false;
    }
  }

  private static int statistics(int p) {
    return p + p * (p + 1) / 2;
  }

  /**
   * The fit's rows as plain arrays, persisted for the passes: slice index, y, trials, then per
   * model its offset (0 without one) and design columns. Each pass is then one job over cached
   * rows, with no query to plan (planning cost most of a pass on small data). Rows of other
   * slices, or with a null value (which Spark's sums skipped), are left out.
   */
  private static JavaRDD<double[]> design(Dataset<Row> data, List<Model> models,
      List<SliceKey> slices) {
    List<Row> index = new ArrayList<>();
    for (int i = 0; i < slices.size(); i++) {
      index.add(RowFactory.create(slices.get(i).attribute(), slices.get(i).group(), (double) i));
    }
    Dataset<Row> indexed = data.sparkSession().createDataFrame(index, new StructType(
        new StructField[] {
            DataTypes.createStructField(Slices.ATTRIBUTE, DataTypes.StringType, false),
            DataTypes.createStructField(Slices.GROUP, DataTypes.StringType, false),
            DataTypes.createStructField(SLICE_INDEX, DataTypes.DoubleType, false)}));
    List<Column> columns = new ArrayList<>(List.of(col(SLICE_INDEX), col(Y), col(TRIALS)));
    for (Model m : models) {
      columns.add(m.offset() == null ? lit(0.0) : col(m.offset()));
      for (int j = 0; j < m.p(); j++) {
        columns.add(col(m.x(j)));
      }
    }
    Column[] asDoubles = columns.stream().map(c -> c.cast("double")).toArray(Column[]::new);
    return data.join(broadcast(indexed), new String[] {Slices.ATTRIBUTE, Slices.GROUP})
        .select(asDoubles).na().drop().javaRDD()
        .map(row -> {
          double[] values = new double[row.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = row.getDouble(i);
          }
          return values;
        })
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * One pass: per running slice, every model's gradient, information and deviance at its path's
   * current point. Each partition sums its rows; the partitions' sums are added on the driver in
   * partition order, so a fit is the same however tasks finish. Null for a slice without rows.
   */
  private static Map<SliceKey, double[]> sufficientStatistics(JavaRDD<double[]> design,
      List<Model> models, Map<String, Map<SliceKey, Path>> paths, List<SliceKey> slices,
      Set<SliceKey> running) {
    int[] p = models.stream().mapToInt(Model::p).toArray();
    double[][] beta = new double[slices.size()][];
    for (int i = 0; i < slices.size(); i++) {
      if (running.contains(slices.get(i))) {
        List<Double> values = new ArrayList<>();
        for (Model m : models) {
          for (double b : paths.get(m.name()).get(slices.get(i)).beta) {
            // A model that failed in this slice contributes sums nobody reads; keep them finite.
            values.add(Double.isNaN(b) ? 0.0 : b);
          }
        }
        beta[i] = values.stream().mapToDouble(Double::doubleValue).toArray();
      }
    }
    PassSums pass = new PassSums(p, beta);
    double[] total = new double[pass.width() * slices.size()];
    for (double[] partition : design.mapPartitions(pass).collect()) {
      for (int i = 0; i < total.length; i++) {
        total[i] += partition[i];
      }
    }
    Map<SliceKey, double[]> out = new HashMap<>();
    for (int i = 0; i < slices.size(); i++) {
      int from = i * pass.width();
      if (beta[i] != null && total[from + pass.width() - 1] > 0) {
        out.put(slices.get(i), Arrays.copyOfRange(total, from, from + pass.width() - 1));
      }
    }
    return out;
  }

  /**
   * A partition's sums for one pass, per slice: for each model the gradient X'(y - mu), the upper
   * triangle of X'WX and the deviance, then the slice's row count. The arithmetic is Spark SQL's
   * (StrictMath for exp and log1p), so a fit does not depend on where its sums are taken.
   */
  private static final class PassSums implements FlatMapFunction<Iterator<double[]>, double[]> {
    private final int[] p;
    private final double[][] beta;

    PassSums(int[] p, double[][] beta) {
      this.p = p;
      this.beta = beta;
    }

    int width() {
      int width = 1;
      for (int pm : p) {
        width += statistics(pm) + 1;
      }
      return width;
    }

    @Override
    public Iterator<double[]> call(Iterator<double[]> rows) {
      int width = width();
      double[] sums = new double[width * beta.length];
      while (rows.hasNext()) {
        double[] row = rows.next();
        int slice = (int) row[0];
        if (beta[slice] != null) {
          add(row, beta[slice], sums, slice * width);
          sums[slice * width + width - 1] += 1;
        }
      }
      return List.of(sums).iterator();
    }

    private void add(double[] row, double[] b, double[] sums, int at) {
      double y = row[1];
      double trials = row[2];
      int column = 3;
      int coefficient = 0;
      for (int pm : p) {
        double eta = row[column];
        for (int j = 0; j < pm; j++) {
          eta = eta + b[coefficient + j] * row[column + 1 + j];
        }
        double mu = 1 / (1 + StrictMath.exp(-eta));
        double residual = y - trials * mu;
        double weight = trials * mu * (1 - mu);
        for (int j = 0; j < pm; j++) {
          sums[at++] += residual * row[column + 1 + j];
        }
        for (int j = 0; j < pm; j++) {
          for (int k = j; k < pm; k++) {
            sums[at++] += weight * row[column + 1 + j] * row[column + 1 + k];
          }
        }
        // Deviance (up to the saturated model's constant): -2 log-likelihood, from log(1 + e^x)
        // in a form that cannot overflow, so a far overshoot reads as a rise, not as NaN.
        sums[at++] += 2 * (y * softplus(-eta) + (trials - y) * softplus(eta));
        column += pm + 1;
        coefficient += pm;
      }
    }

    /** log(1 + e^x), exact where e^x would overflow. */
    private static double softplus(double x) {
      return Math.max(x, 0.0) + StrictMath.log1p(StrictMath.exp(-Math.abs(x)));
    }
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

  /** Wald standard errors from packed sums at the estimate; NaN where H is singular. */
  static double[] standardErrors(double[] sums, int p) {
    double[] out = new double[p];
    Arrays.fill(out, Double.NaN);
    double[][] covariance = covariance(sums, p);
    if (covariance == null) {
      return out;
    }
    for (int j = 0; j < p; j++) {
      out[j] = Math.sqrt(covariance[j][j]);
    }
    return out;
  }

  /**
   * The coefficients' covariance, the inverse information, from packed sums at the estimate;
   * null where H is singular. A coefficient whose column is zero throughout (a spline term with
   * coincident knots) gets variance 0, as its step did.
   */
  static double[][] covariance(double[] sums, int p) {
    if (sums == null) {
      return null;
    }
    RealMatrix h = information(sums, p);
    boolean[] unused = new boolean[p];
    for (int j = 0; j < p; j++) {
      if (h.getEntry(j, j) == 0) {
        unused[j] = true;
        h.setEntry(j, j, 1);
      }
    }
    LUDecomposition lu = new LUDecomposition(h, 1e-12);
    if (!lu.getSolver().isNonSingular()) {
      return null;
    }
    double[][] out = lu.getSolver().getInverse().getData();
    for (int j = 0; j < p; j++) {
      if (unused[j]) {
        out[j][j] = 0;
      }
    }
    return out;
  }

  /** The information matrix H from the packed sums (its upper triangle follows the gradient). */
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
}
