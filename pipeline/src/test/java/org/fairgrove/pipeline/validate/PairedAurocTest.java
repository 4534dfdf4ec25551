package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The paired AUROC difference against DeLong et al. (1988) computed pair by pair here: each
 * model's placement values from every positive-negative comparison, then their variances and
 * covariance.
 */
@ExtendWith(SparkTestSession.class)
class PairedAurocTest {
  private static final StructType SCHEMA = new StructType()
      .add("row_key", DataTypes.LongType, false)
      .add("label", DataTypes.IntegerType, false)
      .add("risk", DataTypes.DoubleType, false)
      .add(PairedAuroc.CHALLENGER_RISK, DataTypes.DoubleType, false)
      .add("group", DataTypes.StringType, true);

  private final SparkSession spark;

  PairedAurocTest(SparkSession spark) {
    this.spark = spark;
  }

  /** A row: label, champion risk, challenger risk, group. */
  private record Paired(int label, double champion, double challenger, String group) {}

  /**
   * Risks on a 0.05 grid (so both models have ties), the challenger's correlated with the
   * champion's and better at separating the classes.
   */
  private static List<Paired> rows(String group, int positives, int negatives, long seed) {
    Random random = new Random(seed);
    List<Paired> out = new ArrayList<>();
    for (int i = 0; i < positives + negatives; i++) {
      int label = i < positives ? 1 : 0;
      double shared = random.nextGaussian();
      double champion = 0.5 * label + shared + random.nextGaussian();
      double challenger = 0.9 * label + shared + random.nextGaussian();
      out.add(new Paired(label, grid(champion), grid(challenger), group));
    }
    return out;
  }

  private static double grid(double score) {
    return Math.round(20 / (1 + Math.exp(-score))) / 20.0;
  }

  private Map<SliceKey, PairedAuroc.Difference> compare(List<Paired> rows) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Paired p = rows.get(i);
      out.add(RowFactory.create((long) i, p.label(), p.champion(), p.challenger(), p.group()));
    }
    FairgroveConfig config = Fixtures.config();
    Dataset<Row> frame = spark.createDataFrame(out, SCHEMA);
    return PairedAuroc.compare(frame, "row_key", config.governance);
  }

  private static double psi(double positive, double negative) {
    return positive > negative ? 1 : positive == negative ? 0.5 : 0;
  }

  /** {AUROC A, AUROC B, Var(B - A), Var(A)} from the definitions: O(P N). */
  private static double[] bruteForce(List<Paired> rows) {
    List<Paired> pos = rows.stream().filter(r -> r.label() == 1).toList();
    List<Paired> neg = rows.stream().filter(r -> r.label() == 0).toList();
    int p = pos.size();
    int n = neg.size();
    double[][] v10 = new double[2][p];
    double[][] v01 = new double[2][n];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < n; j++) {
        double a = psi(pos.get(i).champion(), neg.get(j).champion());
        double b = psi(pos.get(i).challenger(), neg.get(j).challenger());
        v10[0][i] += a / n;
        v10[1][i] += b / n;
        v01[0][j] += a / p;
        v01[1][j] += b / p;
      }
    }
    double[] auc = {mean(v10[0]), mean(v10[1])};
    double s10 = cov(v10[0], v10[0]) + cov(v10[1], v10[1]) - 2 * cov(v10[0], v10[1]);
    double s01 = cov(v01[0], v01[0]) + cov(v01[1], v01[1]) - 2 * cov(v01[0], v01[1]);
    return new double[] {auc[0], auc[1], s10 / p + s01 / n,
        cov(v10[0], v10[0]) / p + cov(v01[0], v01[0]) / n};
  }

  private static double mean(double[] x) {
    double total = 0;
    for (double v : x) {
      total += v;
    }
    return total / x.length;
  }

  private static double cov(double[] x, double[] y) {
    double mx = mean(x);
    double my = mean(y);
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      total += (x[i] - mx) * (y[i] - my);
    }
    return total / (x.length - 1);
  }

  @Test
  void differenceAndPairedVarianceMatchDeLongPairByPair() {
    List<Paired> a = rows("A", 14, 31, 3);
    List<Paired> b = rows("B", 9, 22, 4);
    List<Paired> all = new ArrayList<>(a);
    all.addAll(b);
    Map<SliceKey, PairedAuroc.Difference> compared = compare(all);

    assertThat(compared).containsOnlyKeys(SliceKey.OVERALL_SLICE, new SliceKey("group", "A"),
        new SliceKey("group", "B"));
    for (var expected : Map.of(SliceKey.OVERALL_SLICE, all, new SliceKey("group", "A"), a,
        new SliceKey("group", "B"), b).entrySet()) {
      double[] truth = bruteForce(expected.getValue());
      PairedAuroc.Difference d = compared.get(expected.getKey());
      assertThat(d.champion()).isCloseTo(truth[0], within(1e-12));
      assertThat(d.challenger()).isCloseTo(truth[1], within(1e-12));
      assertThat(d.variance()).isCloseTo(truth[2], within(1e-12));
      assertThat(d.championVariance()).isCloseTo(truth[3], within(1e-12));
      assertThat(d.variance()).isGreaterThan(1e-4);
    }
    PairedAuroc.Difference groupA = compared.get(new SliceKey("group", "A"));
    assertThat(groupA.positives()).isEqualTo(14);
    assertThat(groupA.negatives()).isEqualTo(31);
    // H0 "within 0.05": p = Phi((difference + 0.05) / se), small when clearly worse.
    double z = (groupA.difference() + 0.05) / groupA.standardError();
    assertThat(groupA.inferiorityP(0.05)).isCloseTo(
        new org.apache.commons.math3.distribution.NormalDistribution().cumulativeProbability(z),
        within(1e-12));
    assertThat(groupA.withinMargin(0.05))
        .isEqualTo(groupA.difference() - 1.6448536 * groupA.standardError() > -0.05);
  }

  @Test
  void aModelComparedWithItselfDiffersByNothingWithNoVariance() {
    List<Paired> same = rows("A", 10, 20, 5).stream()
        .map(r -> new Paired(r.label(), r.champion(), r.champion(), r.group())).toList();
    PairedAuroc.Difference d = compare(same).get(SliceKey.OVERALL_SLICE);
    assertThat(d.difference()).isZero();
    assertThat(d.variance()).isCloseTo(0, within(1e-15));
  }

  @Test
  void aSliceWithoutEventsHasNoDifference() {
    List<Paired> rows = new ArrayList<>(rows("A", 10, 20, 6));
    rows.add(new Paired(0, 0.2, 0.3, "C"));
    rows.add(new Paired(0, 0.4, 0.1, "C"));
    PairedAuroc.Difference c = compare(rows).get(new SliceKey("group", "C"));
    assertThat(c.positives()).isZero();
    assertThat(c.negatives()).isEqualTo(2);
    assertThat(c.difference()).isNaN();
  }
}
