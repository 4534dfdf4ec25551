package org.fairgrove.pipeline.validate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Poisson bootstrap in one pass over the predictions (Hanley and MacGibbon 2006; Chamandy et al.
 * 2012): replicate b gives row i the weight w_ib ~ Poisson(1), drawn from a hash of (seed, row
 * key, b) so it is the same on every run, machine and partitioning, and no resampled copy of the
 * data is ever made. Each partition adds its rows' weighted sufficient statistics into one array
 * per (slice, statistic, replicate); the arrays are summed by a tree reduce. Cost: rows x
 * replicates x (slices per row), linear in rows; memory: slices x statistics x replicates.
 *
 * <p>Statistics per (slice, replicate): n, events, expected events; at each operating threshold
 * the selected, true-positive and false-positive weights; and the one-step Newton sums of the
 * calibration slope. The calibration slope of a replicate is one Newton step from the full-data
 * fit, using the replicate's weighted gradient and information (the one-step bootstrap); a full
 * refit would need one pass per iteration. AUROC gaps need no bootstrap: the groups of a
 * dimension are disjoint, so DeLong's variances add.
 */
final class PoissonBootstrap {
  static final int N = 0;
  static final int EVENTS = 1;
  static final int EXPECTED = 2;
  static final int PER_THRESHOLD = 3;
  static final int SELECTED = 0;
  static final int TP = 1;
  static final int FP = 2;

  private PoissonBootstrap() {}

  /** What the pass needs: slice indexes per dimension and the full-data recalibration fits. */
  record Plan(List<String> dimensions, Map<String, Map<String, Integer>> sliceIndex, int slices,
      double[] thresholds, double[] recalIntercept, double[] recalSlope, long seed,
      int replicates) implements Serializable {
    int stats() {
      return 3 + PER_THRESHOLD * thresholds.length + 5;
    }

    int thresholdStat(int threshold, int which) {
      return 3 + PER_THRESHOLD * threshold + which;
    }

    /** H00, H01, H11, g0, g1 of the one-step calibration update at 0..4. */
    int calibrationStat(int which) {
      return 3 + PER_THRESHOLD * thresholds.length + which;
    }
  }

  /** The summed statistics of every (slice, statistic, replicate). */
  record Replicates(Plan plan, double[] sums) {
    double get(int slice, int stat, int replicate) {
      return sums[(slice * plan.stats() + stat) * plan.replicates() + replicate];
    }
  }

  /**
   * @param labelled the output of {@link Slices#labelled}: row_key, label, risk, then one
   *     group-label column per dimension in {@code plan.dimensions()} order
   */
  static Replicates run(Dataset<Row> labelled, Plan plan) {
    double[] sums = labelled.toJavaRDD()
        .mapPartitions(new Accumulate(plan))
        .treeReduce(PoissonBootstrap::add, 2);
    return new Replicates(plan, sums);
  }

  private static double[] add(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }

  /** Poisson(1) weight of a row in replicate b, from a hash of (seed, key, b). */
  static int weight(long rowHash, int replicate) {
    double u = (mix(rowHash + (replicate + 1) * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
    // Inversion of the Poisson(1) CDF: P(k) = e^-1 / k!.
    int k = 0;
    double p = Math.exp(-1);
    double cdf = p;
    while (u > cdf && k < 30) {
      k++;
      p /= k;
      cdf += p;
    }
    return k;
  }

  static long rowHash(long seed, long key) {
    return mix(seed ^ mix(key ^ 0xD1B54A32D192ED03L));
  }

  /** SplitMix64's finaliser: a fast, well-mixed 64-bit hash. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Adds one partition's weighted statistics into one array. */
  private static final class Accumulate implements FlatMapFunction<Iterator<Row>, double[]> {
    private static final long serialVersionUID = 1L;
    private final Plan plan;

    Accumulate(Plan plan) {
      this.plan = plan;
    }

    @Override
    public Iterator<double[]> call(Iterator<Row> rows) {
      int replicates = plan.replicates();
      int stats = plan.stats();
      double[] sums = new double[plan.slices() * stats * replicates];
      double[] weights = new double[replicates];
      int dimensions = plan.dimensions().size();
      int[] slices = new int[dimensions];
      List<Map<String, Integer>> indexes = new ArrayList<>();
      plan.dimensions().forEach(d -> indexes.add(plan.sliceIndex().get(d)));
      while (rows.hasNext()) {
        Row row = rows.next();
        long hash = rowHash(plan.seed(), row.getLong(0));
        double y = row.getInt(1);
        double risk = row.getDouble(2);
        for (int b = 0; b < replicates; b++) {
          weights[b] = weight(hash, b);
        }
        int count = 0;
        for (int d = 0; d < dimensions; d++) {
          Integer slice = indexes.get(d).get(row.getString(3 + d));
          if (slice != null) {
            slices[count++] = slice;
          }
        }
        double logit = Stats.logit(risk);
        for (int i = 0; i < count; i++) {
          int s = slices[i];
          int base = s * stats;
          addScaled(sums, base + N, replicates, weights, 1);
          addScaled(sums, base + EVENTS, replicates, weights, y);
          addScaled(sums, base + EXPECTED, replicates, weights, risk);
          for (int t = 0; t < plan.thresholds().length; t++) {
            if (risk >= plan.thresholds()[t]) {
              addScaled(sums, base + plan.thresholdStat(t, SELECTED), replicates, weights, 1);
              addScaled(sums, base + plan.thresholdStat(t, y == 1 ? TP : FP), replicates,
                  weights, 1);
            }
          }
          double a = plan.recalIntercept()[s];
          double slope = plan.recalSlope()[s];
          if (!Double.isNaN(slope)) {
            double mu = Stats.sigmoid(a + slope * logit);
            double w = mu * (1 - mu);
            addScaled(sums, base + plan.calibrationStat(0), replicates, weights, w);
            addScaled(sums, base + plan.calibrationStat(1), replicates, weights, w * logit);
            addScaled(sums, base + plan.calibrationStat(2), replicates, weights,
                w * logit * logit);
            addScaled(sums, base + plan.calibrationStat(3), replicates, weights, y - mu);
            addScaled(sums, base + plan.calibrationStat(4), replicates, weights,
                (y - mu) * logit);
          }
        }
      }
      return Collections.singletonList(sums).iterator();
    }

    /** sums[stat, b] += weights[b] * value for every replicate b (a loop the JIT vectorises). */
    private static void addScaled(double[] sums, int stat, int replicates, double[] weights,
        double value) {
      if (value == 0) {
        return;
      }
      int offset = stat * replicates;
      for (int b = 0; b < replicates; b++) {
        sums[offset + b] += weights[b] * value;
      }
    }
  }
}
