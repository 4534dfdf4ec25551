package org.fairgrove.pipeline.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.DeltaFixture;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The t2d-1y cohort on eight hand-made persons whose rows and labels were worked out by hand
 * (task: first outpatient visit each year 2014-2023, age 18+, 365 days prior observation, no prior
 * outcome, full 1-365 day time at risk, death a non-event).
 *
 * <pre>
 * P1 born 1970, visits 2015-03-01, 2015-06-01, 2016-02-01    -> 2 rows (2015-03-01, 2016-02-01), 0
 * P2 born 1970, visits 2015-05-01, 2016-05-01; T2D 2015-12-01 -> 2015 row label 1; 2016 row has a
 *                                                              prior outcome
 * P3 born 2000, visits 2015-04-01 (age 14), 2019-04-01 (18)  -> 2019 row only, 0
 * P4 born 1960, observed from 2015-01-01, visits 2015-06-01 (151 days prior: too short),
 *    2016-06-01; E11.9 coded without concept 2017-01-15        -> 2016 row label 1 (source code)
 * P5 born 1950, observed to 2019-12-31, visit 2019-06-01     -> time at risk not fully observed
 * P6 born 1940, visit 2018-03-01, died 2018-09-01            -> kept, label 0 (death non-event)
 * P7 inpatient visit 2015-01-10, outpatient 2013-05-01       -> no qualifying index visit
 * P8 born 1980, visit 2017-07-01, T2D 2012-01-01             -> prior outcome
 * </pre>
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CohortTest {
  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private Lakehouse lakehouse;

  CohortTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void writeSilver() {
    config = SparkTestSession.testConfig(dir, "task.id=t2d-test", "task.outcome.concepts=[201826]",
        "task.outcome.source-codes=[\"E11*\"]");
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    DeltaFixture person = DeltaFixture.contract(spark, "silver/person");
    int[][] births = {{1, 1970}, {2, 1970}, {3, 2000}, {4, 1960}, {5, 1950}, {6, 1940}, {7, 1975},
        {8, 1980}};
    for (int[] p : births) {
      person.with("person_id", p[0], "year_of_birth", p[1], "gender_concept_id",
          p[0] % 2 == 0 ? 8532 : 8507, "race_concept_id", 8527, "ethnicity_concept_id", 38003564);
    }
    person.writeTo(lakehouse, Tables.SILVER_PERSON);

    DeltaFixture periods = DeltaFixture.contract(spark, "silver/observation_period");
    for (int id = 1; id <= 8; id++) {
      String start = id == 4 ? "2015-01-01" : "2010-01-01";
      String end = id == 5 ? "2019-12-31" : id == 6 ? "2018-09-01" : "2020-12-31";
      periods.with("observation_period_id", id, "person_id", id,
          "observation_period_start_date", start, "observation_period_end_date", end);
    }
    periods.writeTo(lakehouse, Tables.SILVER_OBSERVATION_PERIOD);

    DeltaFixture visits = DeltaFixture.contract(spark, "silver/visit_occurrence");
    Object[][] visitRows = {{1, "2015-03-01"}, {1, "2015-06-01"}, {1, "2016-02-01"},
        {2, "2015-05-01"}, {2, "2016-05-01"}, {3, "2015-04-01"}, {3, "2019-04-01"},
        {4, "2015-06-01"}, {4, "2016-06-01"}, {5, "2019-06-01"}, {6, "2018-03-01"},
        {7, "2013-05-01"}, {8, "2017-07-01"}};
    long visitId = 100;
    for (Object[] v : visitRows) {
      visits.with("visit_occurrence_id", visitId++, "person_id", v[0], "visit_concept_id", 9202,
          "visit_start_date", v[1], "visit_end_date", v[1]);
    }
    visits.with("visit_occurrence_id", visitId, "person_id", 7, "visit_concept_id", 9201,
        "visit_start_date", "2015-01-10", "visit_end_date", "2015-01-12");
    visits.writeTo(lakehouse, Tables.SILVER_VISIT);

    DeltaFixture.contract(spark, "silver/condition_occurrence")
        .with("condition_occurrence_id", 1, "person_id", 2, "condition_concept_id", 201826,
            "condition_start_date", "2015-12-01", "condition_source_value", "E11.9")
        .with("condition_occurrence_id", 2, "person_id", 4, "condition_concept_id", 0,
            "condition_start_date", "2017-01-15", "condition_source_value", "E11.9")
        .with("condition_occurrence_id", 3, "person_id", 8, "condition_concept_id", 201826,
            "condition_start_date", "2012-01-01", "condition_source_value", "E11.9")
        .with("condition_occurrence_id", 4, "person_id", 1, "condition_concept_id", 320128,
            "condition_start_date", "2015-02-01", "condition_source_value", "I10")
        .writeTo(lakehouse, Tables.SILVER_CONDITION);
    DeltaFixture.contract(spark, "silver/death")
        .with("person_id", 6, "death_date", "2018-09-01")
        .writeTo(lakehouse, Tables.SILVER_DEATH);
    DeltaFixture.contract(spark, "silver/payer_plan_period")
        .with("payer_plan_period_id", 1, "person_id", 1, "payer_plan_period_start_date",
            "2010-01-01", "payer_plan_period_end_date", "2015-12-31",
            "payer_source_value", "Medicaid")
        .with("payer_plan_period_id", 2, "person_id", 1, "payer_plan_period_start_date",
            "2016-01-01", "payer_plan_period_end_date", "2020-12-31",
            "payer_source_value", "Commercial")
        .writeTo(lakehouse, Tables.SILVER_PAYER_PLAN_PERIOD);
  }

  @Test
  void rowsAndLabelsMatchTheHandWorkedCohort() {
    Cohort.Result result = Cohort.build(spark, config);
    assertThat(result.persons()).isEqualTo(5);
    assertThat(result.rows()).isEqualTo(6);
    assertThat(result.events()).isEqualTo(2);

    List<String> rows = lakehouse.read(Tables.GOLD_COHORT)
        .orderBy("person_id", "index_date")
        .selectExpr("concat_ws(' ', person_id, index_date, label, coalesce(string(outcome_date), '-'),"
            + " sex, age, age_band, coalesce(payer, '-'))")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(rows).containsExactly(
        "1 2015-03-01 0 - M 44 18-44 Medicaid",
        "1 2016-02-01 0 - M 45 45-64 Commercial",
        "2 2015-05-01 1 2015-12-01 F 44 18-44 -",
        "3 2019-04-01 0 - M 18 18-44 -",
        "4 2016-06-01 1 2017-01-15 F 55 45-64 -",
        "6 2018-03-01 0 - F 77 75-89 -");
  }

  @Test
  void attritionCountsEachRuleInOrder() {
    Cohort.Result result = Cohort.build(spark, config.with(List.of("governance.small-cell-threshold=1")));
    assertThat(result.attrition()).extracting(s -> s.rule() + ": " + s.personsRemaining() + "/"
        + s.rowsRemaining()).containsExactly(
            "qualifying index visit: 7/11",
            "age 18-120 at index: 7/10",
            "observed at index with 365+ days prior observation: 7/9",
            "no outcome before time at risk: 6/7",
            "full time at risk observed: 5/6");
    // With the default policy (11) every count here is small: nothing is shown.
    Cohort.Result protectedResult = Cohort.build(spark, config);
    assertThat(protectedResult.attrition()).allMatch(Attrition.Step::suppressed);
    assertThat(lakehouse.read(Tables.GOLD_COHORT_ATTRITION)
        .filter("persons_remaining IS NOT NULL OR rows_removed IS NOT NULL").count()).isZero();
  }

  /**
   * Who is scored on a date, by hand. As of 2016-06-01: P3 is 15; P2 and P8 have the outcome on
   * record; P4's diagnosis of 2017 is not read yet, and P7 needs no qualifying visit. As of
   * 2018-10-01: P6 died on 2018-09-01 (no longer observed) and P4's diagnosis is on record.
   */
  @Test
  void theScoringPopulationIsWhoMeetsTheRulesKnownOnTheDate() {
    Cohort.Population june2016 = Cohort.asOf(lakehouse, config.task,
        java.time.LocalDate.of(2016, 6, 1));
    assertThat(june2016.skipped()).extracting(c -> c.rule() + ": " + c.persons())
        .containsExactly("person in silver.person: 8", "age 18-120 at index: 7",
            "observed at index with 365+ days prior observation: 7",
            "no outcome before time at risk: 5");
    assertThat(scored(june2016)).containsExactly("1 2016-06-01 45", "4 2016-06-01 55",
        "5 2016-06-01 65", "6 2016-06-01 75", "7 2016-06-01 40");

    Cohort.Population october2018 = Cohort.asOf(lakehouse, config.task,
        java.time.LocalDate.of(2018, 10, 1));
    assertThat(october2018.skipped()).extracting(c -> c.persons())
        .containsExactly(8L, 8L, 7L, 4L);
    assertThat(october2018.persons()).isEqualTo(4);
    assertThat(scored(october2018)).containsExactly("1 2018-10-01 48", "3 2018-10-01 18",
        "5 2018-10-01 68", "7 2018-10-01 43");
  }

  private static List<String> scored(Cohort.Population population) {
    return population.rows().orderBy("person_id")
        .selectExpr("concat_ws(' ', person_id, index_date, age)")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  @Test
  void splitKeepsEachPersonOnOneSideAndHonoursExternalSites() {
    FairgroveConfig external = config.with(List.of("task.split.external-sites=[S1]"));
    Cohort.build(spark, external);
    assertThat(lakehouse.read(Tables.GOLD_COHORT).select("split").distinct()
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly("external");
    Cohort.build(spark, config);
    assertThat(lakehouse.read(Tables.GOLD_COHORT).groupBy("person_id")
        .agg(org.apache.spark.sql.functions.countDistinct("split").as("splits"))
        .filter("splits > 1").count()).isZero();
  }

  @Test
  void taskWithoutOutcomeFailsClearly() {
    FairgroveConfig noOutcome = SparkTestSession.testConfig(dir, "task.id=empty");
    assertThatThrownBy(() -> Cohort.build(spark, noOutcome))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("names no outcome concepts");
  }

  @Test
  void attritionProtectionMergesStepsUntilEveryRemovalIsShowable() {
    List<Attrition.Step> steps = Attrition.protect(List.of(
        new Attrition.Count("start", 1000, 5000),
        new Attrition.Count("r1", 995, 4990),
        new Attrition.Count("r2", 900, 4800),
        new Attrition.Count("r3", 900, 4800),
        new Attrition.Count("r4", 897, 4790)), 11);
    // r1 removed 5 persons: merged with r2 (100/200). r4 removed 3: folded back through r3 (0)
    // into the step before, so 103 persons and 210 rows are shown removed in one step.
    assertThat(steps).extracting(s -> s.rule() + " " + s.personsRemaining() + "/"
        + s.rowsRemaining() + " -" + s.personsRemoved() + "/" + s.rowsRemoved())
        .containsExactly("start 1000/5000 -0/0", "r1 + r2 + r3 + r4 897/4790 -103/210");
  }
}
