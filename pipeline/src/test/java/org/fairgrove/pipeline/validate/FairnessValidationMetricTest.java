package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole library on a small population with a known defect: the model halves the risk of
 * Black patients, and a tiny AIAN group is too small to judge.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FairnessValidationMetricTest {
  private final SparkSession spark;
  private ValidationResult result;
  @TempDir static Path dir;

  FairnessValidationMetricTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void validate() {
    result = validate(false);
  }

  /** @param withoutTinyGroup the AIAN persons counted as White instead */
  private ValidationResult validate(boolean withoutTinyGroup) {
    StructType schema = new StructType()
        .add("person_key", DataTypes.LongType, false)
        .add("label", DataTypes.IntegerType, false)
        .add("risk", DataTypes.DoubleType, false)
        .add("sex", DataTypes.StringType, true)
        .add("race", DataTypes.StringType, true);
    Random random = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      String race = i < 30 ? (withoutTinyGroup ? "White" : "AIAN") : i < 1500 ? "Black"
          : "White";
      String sex = i % 2 == 0 ? "F" : "M";
      double p = 0.05 + 0.6 * random.nextDouble();
      double risk = race.equals("Black") ? p / 2 : p;
      rows.add(RowFactory.create((long) i, random.nextDouble() < p ? 1 : 0, risk, sex, race));
    }
    Dataset<Row> predictions = spark.createDataFrame(rows, schema);
    FairgroveConfig config = SparkTestSession.testConfig(dir,
        "governance.attributes=[\"sex\", \"race\"]",
        "governance.intersections=[\"race x sex\"]",
        "governance.reference-groups={ race = \"White\" }",
        "governance.bootstrap-replicates=100",
        "governance.net-benefit.step=0.1",
        "governance.checks=[\"auroc_gap\", \"calibration_slope\", \"oe_ratio\","
            + " \"demographic_parity\", \"equal_opportunity\"]",
        "task.operating-points.kind=risk",
        "task.operating-points.values=[0.1, 0.3]");
    return Fixtures.validate(predictions, "person_key", config);
  }

  private SliceVerdict verdict(String attribute, String group) {
    return Fixtures.verdict(result, attribute, group);
  }

  @Test
  void theMiscalibratedGroupIsFlaggedAndTheReferencePasses() {
    SliceVerdict black = verdict("race", "Black");
    assertThat(black.status()).isEqualTo(Verdict.FLAG);
    assertThat(black.reference()).isEqualTo("White");
    // O/E about 2 in 1,500 persons: flagged, the whole CI beyond the limit.
    assertThat(black.findings()).extracting(MetricRow::metric).containsExactly("check_oe_ratio");
    MetricRow oe = black.findings().get(0);
    assertThat(oe.verdict()).isEqualTo("flag");
    assertThat(oe.value()).isGreaterThan(1.7);
    assertThat(oe.ciLow()).isGreaterThan(1.25);
    assertThat(oe.pHolm()).isLessThan(0.05);
    assertThat(verdict("race", "White").status()).isEqualTo(Verdict.PASS);
    assertThat(Fixtures.row(result, "race", "Black", "oe_ratio_difference", null).pHolm())
        .isLessThan(0.05);
    // race x sex: the largest cell is the reference when none is configured.
    assertThat(verdict("race x sex", "Black x F").reference()).isIn("White x F", "White x M");
  }

  @Test
  void parityBeyondTheLimitsIsFlaggedWhereNoTinyGroupForcesItsWithholding() {
    // With the tiny AIAN group, its small confusion cells at the operating points could be
    // derived as overall minus Black minus White, so Black's rates there are withheld and its
    // parity checks cannot be judged.
    assertThat(result.metrics()).filteredOn(r -> r.group().equals("Black")
            && r.metric().equals("check_demographic_parity"))
        .allMatch(r -> r.suppressed() && r.verdict().equals("insufficient_data"));
    // Without it, Black's selection and true positive rates at risk 0.3 (its risks halved) are
    // far below White's: flagged.
    SliceVerdict black = Fixtures.verdict(validate(true), "race", "Black");
    assertThat(black.findings()).extracting(r -> r.metric() + "@" + r.operatingPoint())
        .contains("check_oe_ratio@null", "check_demographic_parity@risk 30%",
            "check_equal_opportunity@risk 30%");
    assertThat(black.findings()).allMatch(r -> r.verdict().equals("flag")
        && r.pHolm() < 0.05);
  }

  @Test
  void theTinyGroupIsInsufficientAndItsSmallCountsAreWithheld() {
    SliceVerdict aian = verdict("race", "AIAN");
    assertThat(aian.status()).isEqualTo(Verdict.INSUFFICIENT_DATA);
    assertThat(aian.minimumDetectableAurocGap()).isGreaterThan(0.1);
    // No count from 1 to 10 is shown anywhere. The AIAN intersection cells (15 persons, a few
    // events each) are withheld entirely; AIAN itself (30 persons, 11 events) keeps its counts
    // but not its rates at thresholds where a confusion cell is small.
    assertThat(result.metrics()).filteredOn(r -> r.metric().equals("n")
            || r.metric().equals("events"))
        .allMatch(r -> r.suppressed() || r.value() == 0 || r.value() >= 11);
    assertThat(result.metrics()).filteredOn(r -> r.group().startsWith("AIAN x"))
        .allMatch(MetricRow::suppressed);
    assertThat(Fixtures.row(result, "race", "AIAN", "sensitivity", 0.3).suppressed()).isTrue();
  }

  @Test
  void theLongTableRoundTripsThroughDelta() {
    String path = dir.resolve("metrics").toString();
    result.table(spark).write().format("delta").save(path);
    Dataset<Row> back = spark.read().format("delta").load(path);
    assertThat(back.count()).isEqualTo(result.metrics().size());
    assertThat(back.schema().fieldNames()).startsWith("slice_attribute", "slice_group", "metric",
        "operating_point", "threshold", "value", "ci_low", "ci_high");
    // 1 overall + 2 sexes + 3 races + 6 intersections.
    assertThat(result.slices()).hasSize(12);
  }
}
