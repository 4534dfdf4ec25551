package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.ingest.Pseudonym;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.DeltaFixture;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model against the true risk on six hand-made rows, AUROCs counted by hand over the 3 x 3
 * (all rows) and 2 x 3 (incident rows) event/non-event pairs.
 */
@ExtendWith(SparkTestSession.class)
class GroundTruthTest {
  private static final String KEY = "ground-truth-test-key-0123456789";

  @TempDir Path dir;

  @Test
  void comparesOnAllRowsAndOnRowsFreeOfTheDiseaseAtIndex(SparkSession spark) {
    FairgroveConfig config = SparkTestSession.testConfig(dir, "deid.dev-key=" + KEY);
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    DeltaFixture.contract(spark, "truth/person_onset")
        // 1: diabetic, undiagnosed, before index: true risk 1 whatever the year rows say.
        .with("person_id", 1L, "true_onset_date", "2019-06-01")
        .with("person_id", 2L)
        .with("person_id", 3L, "true_onset_date", "2020-09-01")
        .with("person_id", 4L)
        .with("person_id", 5L)
        .with("person_id", 6L, "true_onset_date", "2020-12-01")
        .writeTo(lakehouse, Tables.TRUTH_PERSON_ONSET);
    DeltaFixture.contract(spark, "truth/person_year_risk")
        .with("person_id", 2L, "year", 2020, "true_risk", 0.05)
        .with("person_id", 3L, "year", 2019, "true_risk", 0.9)
        .with("person_id", 3L, "year", 2020, "true_risk", 0.4)
        // 4 turned 18 after 1 January 2020: the first year with a risk is 2021.
        .with("person_id", 4L, "year", 2021, "true_risk", 0.02)
        .with("person_id", 4L, "year", 2022, "true_risk", 0.03)
        .with("person_id", 5L, "year", 2020, "true_risk", 0.3)
        .with("person_id", 6L, "year", 2020, "true_risk", 0.2)
        .writeTo(lakehouse, Tables.TRUTH_PERSON_YEAR_RISK);
    DeltaFixture predictions = DeltaFixture.table(spark,
        "person_id BIGINT, index_date DATE, label INT, risk DOUBLE");
    Object[][] rows = {
        {1L, "2020-03-01", 1, 0.9}, {2L, "2020-03-01", 0, 0.2}, {3L, "2020-05-01", 1, 0.3},
        {4L, "2020-02-01", 0, 0.6}, {5L, "2020-04-01", 0, 0.1}, {6L, "2020-04-01", 1, 0.5}};
    for (Object[] row : rows) {
      predictions.row(pseudonym((Long) row[0]), row[1], row[2], row[3]);
    }

    GroundTruth.Comparison truth =
        GroundTruth.compare(spark, config, predictions.dataset()).orElseThrow();

    assertThat(truth.rows()).isEqualTo(6);
    assertThat(truth.events()).isEqualTo(3);
    assertThat(truth.prevalentRows()).isEqualTo(1);
    assertThat(truth.prevalentEvents()).isEqualTo(1);
    assertThat(truth.rowsWithoutTruth()).isZero();
    // Events 0.9, 0.3, 0.5 above non-events 0.2, 0.6, 0.1: 3 + 2 + 2 of 9 pairs.
    assertThat(truth.modelAuroc()).isCloseTo(7.0 / 9, within(1e-9));
    // True risks: events 1, 0.4, 0.2; non-events 0.05, 0.02, 0.3: 3 + 3 + 2 of 9.
    assertThat(truth.bestAchievable()).isCloseTo(8.0 / 9, within(1e-9));
    // Without person 1: events 0.3, 0.5 (model) and 0.4, 0.2 (truth): 2 + 2 and 3 + 2 of 6.
    assertThat(truth.incidentModelAuroc()).isCloseTo(4.0 / 6, within(1e-9));
    assertThat(truth.incidentBestAchievable()).isCloseTo(5.0 / 6, within(1e-9));
  }

  @Test
  void noSyntheticTruthMeansNoComparison(SparkSession spark) {
    FairgroveConfig config = SparkTestSession.testConfig(dir, "deid.dev-key=" + KEY);
    assertThat(GroundTruth.compare(spark, config, DeltaFixture.table(spark,
        "person_id BIGINT, index_date DATE, label INT, risk DOUBLE").dataset())).isEmpty();
  }

  private static long pseudonym(long sourceId) {
    return Pseudonym.of(KEY.getBytes(StandardCharsets.UTF_8), "S1", Long.toString(sourceId));
  }
}
