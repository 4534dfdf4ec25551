package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.validate.Fixtures.Prediction;
import org.fairgrove.pipeline.validate.RankMetrics.RankStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * AUROC and its DeLong variance from the distinct-value aggregation, against the Mann-Whitney U
 * statistic and the textbook O(P N) DeLong placement values computed pair by pair here.
 */
@ExtendWith(SparkTestSession.class)
class DeLongAurocTest {
  private final SparkSession spark;

  DeLongAurocTest(SparkSession spark) {
    this.spark = spark;
  }

  private Map<SliceKey, RankStats> ranks(List<Prediction> predictions) {
    FairgroveConfig config = Fixtures.config();
    Dataset<Row> labelled = Slices.labelled(Fixtures.frame(spark, predictions), "row_key",
        config.governance);
    return RankMetrics.compute(RankMetrics.perValue(Slices.exploded(labelled, config.governance)));
  }

  /** psi(x, y) = 1 if the positive ranks above, 1/2 on a tie. */
  private static double psi(double positive, double negative) {
    return positive > negative ? 1 : positive == negative ? 0.5 : 0;
  }

  /** DeLong et al. (1988) directly from its definitions: O(P N). */
  private static double[] bruteForce(double[] positives, double[] negatives) {
    int p = positives.length;
    int n = negatives.length;
    double[] v10 = new double[p];
    double[] v01 = new double[n];
    double u = 0;
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < n; j++) {
        double s = psi(positives[i], negatives[j]);
        u += s;
        v10[i] += s / n;
        v01[j] += s / p;
      }
    }
    double auc = u / (p * n);
    double s10 = 0;
    double s01 = 0;
    for (double v : v10) {
      s10 += (v - auc) * (v - auc) / (p - 1);
    }
    for (double v : v01) {
      s01 += (v - auc) * (v - auc) / (n - 1);
    }
    return new double[] {auc, s10 / p + s01 / n};
  }

  @Test
  void aurocWithTiesIsMannWhitneyUOverPN() {
    // By hand: 0.9 beats all 6 negatives (6); each 0.8 ties one and beats 5 (5.5 x 2); 0.5
    // ties two and beats 3 (4); 0.3 beats 3 (3). U = 24 of 30 pairs.
    double[] positives = {0.9, 0.8, 0.8, 0.5, 0.3};
    double[] negatives = {0.8, 0.5, 0.5, 0.2, 0.1, 0.1};
    List<Prediction> rows = new ArrayList<>(Fixtures.group("A", positives, negatives));
    // A second group in the same pass must not leak into the first.
    rows.addAll(Fixtures.group("B", new double[] {0.1, 0.2}, new double[] {0.3, 0.9}));
    Map<SliceKey, RankStats> ranks = ranks(rows);

    RankStats a = ranks.get(new SliceKey("group", "A"));
    assertThat(a.auroc()).isCloseTo(24.0 / 30.0, within(1e-12));
    double[] expected = bruteForce(positives, negatives);
    assertThat(a.auroc()).isCloseTo(expected[0], within(1e-12));
    assertThat(a.variance()).isCloseTo(expected[1], within(1e-12));
    assertThat(ranks.get(new SliceKey("group", "B")).auroc()).isCloseTo(0.0, within(1e-12));
  }

  /**
   * Hanley and McNeil (1982, Radiology 143:29-36), Table 1: 109 CT images rated 1..5, 58 normal
   * (33, 6, 6, 11, 2 per rating) and 51 abnormal (3, 2, 2, 11, 33). Published AUROC 0.893. The
   * pROC aSAH data were not available offline, so the DeLong variance is checked against the
   * pairwise definition on this published table instead.
   */
  @Test
  void hanleyMcNeilRatingTableMatchesPublishedAurocAndPairwiseDeLong() {
    int[] normal = {33, 6, 6, 11, 2};
    int[] abnormal = {3, 2, 2, 11, 33};
    double[] negatives = expand(normal);
    double[] positives = expand(abnormal);
    RankStats stats = ranks(Fixtures.group("CT", positives, negatives))
        .get(new SliceKey("group", "CT"));
    assertThat(stats.auroc()).isCloseTo(0.893, within(0.0005));
    double[] expected = bruteForce(positives, negatives);
    assertThat(stats.auroc()).isCloseTo(expected[0], within(1e-12));
    assertThat(stats.variance()).isCloseTo(expected[1], within(1e-12));
    assertThat(stats.ciLow()).isCloseTo(expected[0] - 1.959964 * Math.sqrt(expected[1]),
        within(1e-6));
    // Hanley and McNeil's own SE for this table is 0.0326 (their exponential approximation,
    // used here for the detectable gap).
    assertThat(Math.sqrt(Checks.hanleyMcNeilVariance(stats.auroc(), 51, 58)))
        .isCloseTo(0.0326, within(0.0005));
  }

  @Test
  void theDetectableGapFromHanleyAndMcNeilsTableAndWhereNoneShortOfChanceIs() {
    // Two groups the size of their table at its AUROC, each with their SE of 0.0326:
    // (1.96 + 0.8416) x sqrt(2) x 0.0326 = 0.129 (0.1290-0.1294 over the SE's last digit): 0.13.
    assertThat(Checks.minimumDetectableAurocGap(0.893, 51, 58, 51, 58)).isEqualTo(0.13);
    // A group a quarter that size (its SE about twice theirs): about 0.21, short of 0.893 - 0.5.
    assertThat(Checks.minimumDetectableAurocGap(0.893, 13, 15, 51, 58)).isBetween(0.14, 0.393);
    // Against a reference at 0.6 the same groups could not show a gap down to chance (0.1).
    assertThat(Checks.minimumDetectableAurocGap(0.6, 51, 58, 51, 58)).isInfinite();
    assertThat(Checks.minimumDetectableAurocGap(0.893, 0, 58, 51, 58)).isInfinite();
    assertThat(Checks.minimumDetectableAurocGap(Double.NaN, 51, 58, 51, 58)).isNaN();
  }

  @Test
  void averagePrecisionByHand() {
    // Descending: 0.9 (pos), 0.8 (pos, neg), 0.4 (pos), 0.2 (neg).
    // AP = 1/3 * (1/1) + 1/3 * (2/3) + 1/3 * (3/4) [0.8: 2 of 3 at or above; 0.4: 3 of 4].
    RankStats stats = ranks(Fixtures.group("A", new double[] {0.9, 0.8, 0.4},
        new double[] {0.8, 0.2})).get(new SliceKey("group", "A"));
    assertThat(stats.auprc()).isCloseTo((1 + 2.0 / 3 + 3.0 / 4) / 3, within(1e-12));
  }

  private static double[] expand(int[] countsPerRating) {
    List<Double> out = new ArrayList<>();
    for (int rating = 0; rating < countsPerRating.length; rating++) {
      for (int i = 0; i < countsPerRating[rating]; i++) {
        out.add((rating + 1) / 10.0);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
