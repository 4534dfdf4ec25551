package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.validate.Fixtures.Prediction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Threshold metrics, net benefit and parity disparities on a hand fixture; every expected value
 * below is counted by hand from the listed risks.
 *
 * <pre>
 * A (10 rows, the reference: largest): positives 0.9 0.7 0.6 0.4; negatives 0.8 0.55 0.3 0.2 0.1 0.05
 *   at 0.5: TP 3, FP 2, FN 1, TN 4
 * B (8 rows): positives 0.95 0.45; negatives 0.6 0.4 0.35 0.3 0.2 0.1
 *   at 0.5: TP 1, FP 1, FN 1, TN 5
 * </pre>
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThresholdParityMetricTest {
  private final SparkSession spark;
  private ValidationResult result;

  ThresholdParityMetricTest(SparkSession spark) {
    this.spark = spark;
  }

  private static List<Prediction> rows() {
    List<Prediction> rows = new ArrayList<>();
    rows.addAll(Fixtures.group("A", new double[] {0.9, 0.7, 0.6, 0.4},
        new double[] {0.8, 0.55, 0.3, 0.2, 0.1, 0.05}));
    rows.addAll(Fixtures.group("B", new double[] {0.95, 0.45},
        new double[] {0.6, 0.4, 0.35, 0.3, 0.2, 0.1}));
    return rows;
  }

  @BeforeAll
  void validate() {
    result = Fixtures.validate(Fixtures.frame(spark, rows()), "row_key", Fixtures.config());
  }

  private double a(String metric, Double threshold) {
    return Fixtures.value(result, "group", "A", metric, threshold);
  }

  private double b(String metric, Double threshold) {
    return Fixtures.value(result, "group", "B", metric, threshold);
  }

  @Test
  void confusionRatesAtTheOperatingThreshold() {
    assertThat(a("n", null)).isEqualTo(10);
    assertThat(a("events", null)).isEqualTo(4);
    assertThat(a("prevalence", null)).isCloseTo(0.4, within(1e-12));
    assertThat(a("sensitivity", 0.5)).isCloseTo(3.0 / 4, within(1e-12));
    assertThat(a("specificity", 0.5)).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(a("ppv", 0.5)).isCloseTo(3.0 / 5, within(1e-12));
    assertThat(a("npv", 0.5)).isCloseTo(4.0 / 5, within(1e-12));
    assertThat(a("fpr", 0.5)).isCloseTo(2.0 / 6, within(1e-12));
    assertThat(a("fnr", 0.5)).isCloseTo(1.0 / 4, within(1e-12));
    assertThat(a("selection_rate", 0.5)).isCloseTo(5.0 / 10, within(1e-12));
    assertThat(b("selection_rate", 0.5)).isCloseTo(2.0 / 8, within(1e-12));
  }

  @Test
  void netBenefitByHand() {
    // At 0.5 the odds are 1: NB = 3/10 - 2/10 = 0.1; treat all = 4/10 - 6/10 = -0.2.
    assertThat(a("net_benefit", 0.5)).isCloseTo(0.1, within(1e-12));
    assertThat(a("net_benefit_treat_all", 0.5)).isCloseTo(-0.2, within(1e-12));
    // At 0.2 the odds are 1/4; risk >= 0.2 selects 4 positives and 4 negatives (0.8 0.55 0.3
    // 0.2): NB = 4/10 - 4/10 * 1/4 = 0.3; treat all = 4/10 - 6/10 * 1/4 = 0.25.
    assertThat(a("net_benefit", 0.2)).isCloseTo(0.3, within(1e-12));
    assertThat(a("net_benefit_treat_all", 0.2)).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void parityAgainstTheLargestGroupByHand() {
    MetricRow dp = Fixtures.row(result, "group", "B", "demographic_parity_difference", 0.5);
    assertThat(dp.reference()).isEqualTo("A");
    assertThat(dp.value()).isCloseTo(0.25 - 0.5, within(1e-12));
    assertThat(b("demographic_parity_ratio", 0.5)).isCloseTo(0.5, within(1e-12));
    // Equal opportunity: TPR 1/2 vs 3/4.
    assertThat(b("equal_opportunity_difference", 0.5)).isCloseTo(-0.25, within(1e-12));
    assertThat(b("equal_opportunity_ratio", 0.5)).isCloseTo(2.0 / 3, within(1e-12));
    // Equalized odds (Fairlearn): max(|1/2 - 3/4|, |1/6 - 1/3|) and min(2/3, (1/6)/(1/3)).
    assertThat(b("equalized_odds_difference", 0.5)).isCloseTo(0.25, within(1e-12));
    assertThat(b("equalized_odds_ratio", 0.5)).isCloseTo(0.5, within(1e-12));
    // Predictive parity: PPV 1/2 vs 3/5.
    assertThat(b("predictive_parity_difference", 0.5)).isCloseTo(-0.1, within(1e-12));
    assertThat(b("fpr_parity_ratio", 0.5)).isCloseTo(0.5, within(1e-12));
    // The reference is not compared with itself.
    assertThat(result.metrics()).noneMatch(r -> r.group().equals("A")
        && r.metric().endsWith("_difference"));
  }

  @Test
  void parityAtASelectionRateOperatingPointByHand() {
    // Top 50% of the 18 rows: the highest risk with at least 9 rows at or above it is 0.4 (10
    // rows). A: TP 4 FP 2 FN 0 TN 4 (selection 6/10, TPR 1, FPR 2/6, PPV 4/6);
    // B: TP 2 FP 2 FN 0 TN 4 (selection 4/8, TPR 1, FPR 2/6, PPV 2/4).
    ValidationResult top = Fixtures.validate(Fixtures.frame(spark, rows()), "row_key",
        Fixtures.config("task.operating-points.kind=selection-rate",
            "task.operating-points.values=[0.5]"));
    assertThat(top.operatingPoints()).singleElement().satisfies(p -> {
      assertThat(p.label()).isEqualTo("top 50%");
      assertThat(p.threshold()).isEqualTo(0.4);
    });
    assertThat(Fixtures.value(top, "group", "A", "selection_rate", 0.4)).isEqualTo(0.6);
    assertThat(Fixtures.value(top, "group", "B", "demographic_parity_ratio", 0.4))
        .isCloseTo(0.5 / 0.6, within(1e-12));
    assertThat(Fixtures.value(top, "group", "B", "demographic_parity_difference", 0.4))
        .isCloseTo(-0.1, within(1e-12));
    assertThat(Fixtures.value(top, "group", "B", "equal_opportunity_ratio", 0.4)).isEqualTo(1.0);
    assertThat(Fixtures.value(top, "group", "B", "fpr_parity_ratio", 0.4))
        .isCloseTo(1.0, within(1e-12));
    assertThat(Fixtures.value(top, "group", "B", "predictive_parity_ratio", 0.4))
        .isCloseTo(0.75, within(1e-12));
    assertThat(Fixtures.value(top, "group", "B", "predictive_parity_difference", 0.4))
        .isCloseTo(0.5 - 4.0 / 6, within(1e-12));
    assertThat(Fixtures.value(top, "group", "B", "equalized_odds_ratio", 0.4))
        .isCloseTo(1.0, within(1e-12));
    assertThat(Fixtures.value(top, "group", "B", "equalized_odds_difference", 0.4))
        .isCloseTo(0.0, within(1e-12));
    assertThat(Fixtures.row(top, "group", "B", "sensitivity", 0.4).operatingPoint())
        .isEqualTo("top 50%");
  }

  @Test
  void everyParityMetricOfGroupsWithEnoughEventsIsShownAtTheOperatingPoints() {
    // About 3,000 rows and 400 events in five groups of 600, selection rates that leave every
    // group at least 11 persons in each cell and between neighbouring points (10% apart would
    // put only about a dozen events of a group between them, and a difference of 1 to 10 is a
    // small count too): nothing of the parity section is withheld; the decision-curve grid of
    // 50 thresholds among them withholds no operating point.
    java.util.Random random = new java.util.Random(11);
    List<Prediction> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      double risk = random.nextDouble() * 0.35;
      int label = random.nextDouble() < risk * 0.76 ? 1 : 0;
      rows.add(new Prediction(label, Math.round(risk * 1e4) / 1e4, "G" + (i % 5)));
    }
    ValidationResult result = Fixtures.validate(Fixtures.frame(spark, rows), "row_key",
        Fixtures.config("governance.small-cell-threshold=11",
            "governance.minimum-group-size=100", "governance.net-benefit.from=0.01",
            "governance.net-benefit.to=0.5", "governance.net-benefit.step=0.01",
            "task.operating-points.kind=selection-rate",
            "task.operating-points.values=[0.1, 0.3, 0.5]"));
    long events = rows.stream().filter(r -> r.label() == 1).count();
    assertThat(events).isBetween(350L, 450L);
    List<MetricRow> parity = result.metrics().stream()
        .filter(r -> r.operatingPoint() != null && r.reference() != null).toList();
    // 4 groups against the reference x 5 measures x (difference, ratio) x 3 points.
    assertThat(parity).hasSize(4 * 5 * 2 * 3);
    assertThat(parity).noneMatch(MetricRow::suppressed);
  }

  @Test
  void smallGroupsAreInsufficientDataWithTheirDetectableGap() {
    ValidationResult strict = Fixtures.validate(
        Fixtures.frame(spark, Fixtures.group("A", new double[] {0.9, 0.7},
            new double[] {0.3, 0.2, 0.1})), "row_key",
        Fixtures.config("governance.minimum-group-size=100"));
    SliceVerdict verdict = Fixtures.verdict(strict, "group", "A");
    assertThat(verdict.status()).isEqualTo(Verdict.INSUFFICIENT_DATA);
    assertThat(verdict.minimumDetectableAurocGap()).isPositive().isFinite();
  }
}
