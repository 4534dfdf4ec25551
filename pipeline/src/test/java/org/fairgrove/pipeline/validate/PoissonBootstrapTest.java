package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.validate.Fixtures.Prediction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The one-pass Poisson bootstrap: deterministic, and its spread matches the binomial SE. */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoissonBootstrapTest {
  private final SparkSession spark;
  private List<Prediction> rows;
  private ValidationResult first;

  PoissonBootstrapTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void validate() {
    Random random = new Random(3);
    rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String group = i < 2000 ? "A" : "B";
      double risk = Math.round(random.nextDouble() * 1000) / 1000.0;
      rows.add(new Prediction(random.nextDouble() < risk ? 1 : 0, risk, group));
    }
    first = Fixtures.validate(Fixtures.frame(spark, rows), "row_key",
        Fixtures.config("governance.bootstrap-replicates=400"));
  }

  @Test
  void sameSeedSameIntervalsOtherSeedOtherIntervals() {
    // A different partitioning of the same rows must not change the weights either.
    ValidationResult again = Fixtures.validate(
        Fixtures.frame(spark, rows).repartition(3), "row_key",
        Fixtures.config("governance.bootstrap-replicates=400"));
    MetricRow a = Fixtures.row(first, "group", "B", "demographic_parity_difference", 0.5);
    MetricRow b = Fixtures.row(again, "group", "B", "demographic_parity_difference", 0.5);
    assertThat(b.ciLow()).isCloseTo(a.ciLow(), within(1e-12));
    assertThat(b.ciHigh()).isCloseTo(a.ciHigh(), within(1e-12));

    ValidationResult otherSeed = Fixtures.validate(Fixtures.frame(spark, rows),
        "row_key", Fixtures.config("governance.bootstrap-replicates=400", "run.seed=99"));
    assertThat(Fixtures.row(otherSeed, "group", "B", "demographic_parity_difference", 0.5)
        .ciLow()).isNotEqualTo(a.ciLow());
  }

  @Test
  void intervalsCoverThePointAndMatchTheBinomialStandardError() {
    long nA = rows.stream().filter(r -> r.group().equals("A")).count();
    long nB = rows.size() - nA;
    double pA = rows.stream().filter(r -> r.group().equals("A") && r.risk() >= 0.5).count()
        / (double) nA;
    double pB = rows.stream().filter(r -> r.group().equals("B") && r.risk() >= 0.5).count()
        / (double) nB;
    MetricRow difference = Fixtures.row(first, "group", "B", "demographic_parity_difference",
        0.5);
    assertThat(difference.value()).isCloseTo(pB - pA, within(1e-12));
    assertThat(difference.ciLow()).isLessThan(difference.value());
    assertThat(difference.ciHigh()).isGreaterThan(difference.value());
    // Independent groups: SE(pB - pA) = sqrt(pA(1-pA)/nA + pB(1-pB)/nB).
    double binomialSe = Math.sqrt(pA * (1 - pA) / nA + pB * (1 - pB) / nB);
    double bootstrapSe = (difference.ciHigh() - difference.ciLow()) / (2 * 1.959964);
    assertThat(bootstrapSe).isCloseTo(binomialSe, within(0.15 * binomialSe));
    // Same groups, same model: no disparity should survive Holm.
    assertThat(difference.pHolm()).isGreaterThan(0.05);

    for (String metric : List.of("auroc_difference", "calibration_slope_difference",
        "oe_ratio_difference", "equal_opportunity_difference", "auroc_ratio")) {
      MetricRow row = Fixtures.row(first, "group", "B", metric, metric.startsWith("equal")
          ? 0.5 : null);
      assertThat(row.ciLow()).as(metric).isLessThan(row.value());
      assertThat(row.ciHigh()).as(metric).isGreaterThan(row.value());
    }
  }

  @Test
  void weightsArePoissonOneAndDependOnlyOnSeedKeyAndReplicate() {
    long hash = PoissonBootstrap.rowHash(5, 42);
    double sum = 0;
    double squares = 0;
    int zeros = 0;
    int draws = 200_000;
    for (int b = 0; b < draws; b++) {
      int w = PoissonBootstrap.weight(hash, b);
      sum += w;
      squares += w * w;
      zeros += w == 0 ? 1 : 0;
    }
    double mean = sum / draws;
    assertThat(mean).isCloseTo(1, within(0.01));
    assertThat(squares / draws - mean * mean).isCloseTo(1, within(0.02));
    assertThat(zeros / (double) draws).isCloseTo(Math.exp(-1), within(0.005));
    assertThat(PoissonBootstrap.weight(PoissonBootstrap.rowHash(5, 42), 7))
        .isEqualTo(PoissonBootstrap.weight(hash, 7));
  }
}
