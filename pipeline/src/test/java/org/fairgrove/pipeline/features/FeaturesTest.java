package org.fairgrove.pipeline.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.config.FairgroveConfig;
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
 * Features on two hand-made persons, windows 30 and 180 days and all prior, every value worked
 * out by hand (day counts across the 2016 leap day included).
 *
 * <pre>
 * P1 male born 1960, index visits 2016-03-01 and 2017-03-01
 *    hypertension 2016-01-30 (31 days before the first index), 2016-01-31 (30: window edge),
 *                 2016-03-01 (on the first index: not counted for it)
 *    HbA1c 5.6 on 2015-09-01 (182 days), 6.0 on 2016-02-01 (29), 9.9 on 2016-03-01 (index day),
 *          6.4 on 2016-06-01
 *    metformin 2016-12-01 (after the first index; 90 days before the second)
 * P2 female born 1970, index visit 2016-05-01, hypertension 2016-04-01 (30 days)
 * </pre>
 *
 * <p>Slots: 0 age, 1 sex_female; hypertension 2-7, metformin 8-13 (present, count per window);
 * HbA1c 14-34 (count, latest, min, max, mean, slope, days since last per window); outpatient
 * visits 35-40.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeaturesTest {
  private static final double NAN = Double.NaN;
  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private Lakehouse lakehouse;

  FeaturesTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void writeSilverAndCohort() {
    config = SparkTestSession.testConfig(dir, "task.id=features-test",
        "task.outcome.concepts=[201826]", "task.split.test-fraction=0",
        "task.split.validation-fraction=0", "task.features.windows-days=[30,180]",
        "task.features.min-persons=1");
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    DeltaFixture.contract(spark, "silver/person")
        .with("person_id", 1, "year_of_birth", 1960, "gender_concept_id", 8507)
        .with("person_id", 2, "year_of_birth", 1970, "gender_concept_id", 8532)
        .writeTo(lakehouse, Tables.SILVER_PERSON);
    DeltaFixture.contract(spark, "silver/observation_period")
        .with("observation_period_id", 1, "person_id", 1, "observation_period_start_date",
            "2010-01-01", "observation_period_end_date", "2020-12-31")
        .with("observation_period_id", 2, "person_id", 2, "observation_period_start_date",
            "2010-01-01", "observation_period_end_date", "2020-12-31")
        .writeTo(lakehouse, Tables.SILVER_OBSERVATION_PERIOD);
    DeltaFixture.contract(spark, "silver/visit_occurrence")
        .with("visit_occurrence_id", 1, "person_id", 1, "visit_concept_id", 9202,
            "visit_start_date", "2016-03-01", "visit_end_date", "2016-03-01")
        .with("visit_occurrence_id", 2, "person_id", 1, "visit_concept_id", 9202,
            "visit_start_date", "2017-03-01", "visit_end_date", "2017-03-01")
        .with("visit_occurrence_id", 3, "person_id", 2, "visit_concept_id", 9202,
            "visit_start_date", "2016-05-01", "visit_end_date", "2016-05-01")
        .writeTo(lakehouse, Tables.SILVER_VISIT);
    conditions(false).writeTo(lakehouse, Tables.SILVER_CONDITION);
    measurements(false).writeTo(lakehouse, Tables.SILVER_MEASUREMENT);
    DeltaFixture.contract(spark, "silver/drug_exposure")
        .with("drug_exposure_id", 1, "person_id", 1, "drug_concept_id", 1503297,
            "drug_exposure_start_date", "2016-12-01")
        .writeTo(lakehouse, Tables.SILVER_DRUG);
    Cohort.build(spark, config);
  }

  private DeltaFixture conditions(boolean withLeaks) {
    DeltaFixture conditions = DeltaFixture.contract(spark, "silver/condition_occurrence")
        .with("condition_occurrence_id", 1, "person_id", 1, "condition_concept_id", 320128,
            "condition_start_date", "2016-01-30")
        .with("condition_occurrence_id", 2, "person_id", 1, "condition_concept_id", 320128,
            "condition_start_date", "2016-01-31")
        .with("condition_occurrence_id", 3, "person_id", 1, "condition_concept_id", 320128,
            "condition_start_date", "2016-03-01")
        .with("condition_occurrence_id", 4, "person_id", 2, "condition_concept_id", 320128,
            "condition_start_date", "2016-04-01");
    if (withLeaks) {
      // On every index date and after each person's last one: a new concept and the outcome
      // itself (after the last index, so the cohort's labels may change but no feature may).
      conditions
          .with("condition_occurrence_id", 10, "person_id", 1, "condition_concept_id", 4444,
              "condition_start_date", "2017-03-01")
          .with("condition_occurrence_id", 11, "person_id", 2, "condition_concept_id", 4444,
              "condition_start_date", "2016-05-01")
          .with("condition_occurrence_id", 12, "person_id", 1, "condition_concept_id", 201826,
              "condition_start_date", "2017-03-02")
          .with("condition_occurrence_id", 13, "person_id", 2, "condition_concept_id", 4444,
              "condition_start_date", "2016-05-02");
    }
    return conditions;
  }

  private DeltaFixture measurements(boolean withLeaks) {
    DeltaFixture measurements = DeltaFixture.contract(spark, "silver/measurement");
    Object[][] rows = {{1, "2015-09-01", 5.6}, {1, "2016-02-01", 6.0}, {1, "2016-03-01", 9.9},
        {1, "2016-06-01", 6.4}};
    long id = 1;
    for (Object[] row : rows) {
      measurements.with("measurement_id", id++, "person_id", row[0], "measurement_concept_id",
          3004410, "measurement_date", row[1], "value_as_number", row[2], "unit_source_value", "%");
    }
    if (withLeaks) {
      measurements
          .with("measurement_id", 20L, "person_id", 1, "measurement_concept_id", 3004410,
              "measurement_date", "2017-03-01", "value_as_number", 15.0)
          .with("measurement_id", 21L, "person_id", 2, "measurement_concept_id", 3004410,
              "measurement_date", "2016-05-01", "value_as_number", 14.0)
          .with("measurement_id", 22L, "person_id", 2, "measurement_concept_id", 3004410,
              "measurement_date", "2016-08-01", "value_as_number", 13.0);
    }
    return measurements;
  }

  private Map<String, Map<Integer, Double>> vectors() {
    return vectors(lakehouse.read(Tables.GOLD_FEATURES));
  }

  private static Map<String, Map<Integer, Double>> vectors(Dataset<Row> features) {
    Map<String, Map<Integer, Double>> byRow = new TreeMap<>();
    for (Row row : features.select("person_id", "index_date", Features.FEATURES_COLUMN)
        .collectAsList()) {
      SparseVector vector = ((Vector) row.get(2)).toSparse();
      Map<Integer, Double> slots = new TreeMap<>();
      for (int i = 0; i < vector.indices().length; i++) {
        slots.put(vector.indices()[i], vector.values()[i]);
      }
      byRow.put(row.get(0) + " " + row.get(1), slots);
    }
    return byRow;
  }

  private static Map<Integer, Double> slots(double... pairs) {
    Map<Integer, Double> slots = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      slots.put((int) pairs[i], pairs[i + 1]);
    }
    return slots;
  }

  @Test
  void everySlotMatchesTheHandWorkedValues() {
    Features.Result result = Features.build(spark, config);
    assertThat(result.rows()).isEqualTo(3);
    assertThat(result.slots()).isEqualTo(41);

    double slopeFirst = 0.4 / (153 / 365.25);
    SimpleRegression regression = new SimpleRegression();
    regression.addData(-547 / 365.25, 5.6);
    regression.addData(-394 / 365.25, 6.0);
    regression.addData(-365 / 365.25, 9.9);
    regression.addData(-273 / 365.25, 6.4);
    Map<String, Map<Integer, Double>> expected = Map.of(
        "1 2016-03-01", slots(0, 55, 2, 1, 3, 1, 4, 1, 5, 2, 6, 1, 7, 2,
            14, 1, 15, 6.0, 16, 6.0, 17, 6.0, 18, 6.0, 19, NAN, 20, 29,
            21, 1, 22, 6.0, 23, 6.0, 24, 6.0, 25, 6.0, 26, NAN, 27, 29,
            28, 2, 29, 6.0, 30, 5.6, 31, 6.0, 32, 5.8, 33, slopeFirst, 34, 29),
        "1 2017-03-01", slots(0, 56, 6, 1, 7, 3, 10, 1, 11, 1, 12, 1, 13, 1,
            15, NAN, 16, NAN, 17, NAN, 18, NAN, 19, NAN, 20, NAN,
            22, NAN, 23, NAN, 24, NAN, 25, NAN, 26, NAN, 27, NAN,
            28, 4, 29, 6.4, 30, 5.6, 31, 9.9, 32, 6.975, 33, regression.getSlope(), 34, 273,
            39, 1, 40, 1),
        "2 2016-05-01", slots(0, 45, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 1, 7, 1,
            15, NAN, 16, NAN, 17, NAN, 18, NAN, 19, NAN, 20, NAN,
            22, NAN, 23, NAN, 24, NAN, 25, NAN, 26, NAN, 27, NAN,
            29, NAN, 30, NAN, 31, NAN, 32, NAN, 33, NAN, 34, NAN));
    assertSlots(vectors(), expected);
  }

  private static void assertSlots(Map<String, Map<Integer, Double>> actual,
      Map<String, Map<Integer, Double>> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String row : expected.keySet()) {
      assertThat(actual.get(row).keySet()).as(row).isEqualTo(expected.get(row).keySet());
      expected.get(row).forEach((slot, value) -> {
        if (Double.isNaN(value)) {
          assertThat(actual.get(row).get(slot)).as(row + " slot " + slot).isNaN();
        } else {
          assertThat(actual.get(row).get(slot)).as(row + " slot " + slot)
              .isCloseTo(value, within(1e-9));
        }
      });
    }
  }

  /**
   * Scoring's features: the stored dictionary on everyone under observation on 2016-04-01, every
   * value by hand. P1's hypertension of 2016-03-01 is 31 days back (in 180 days, not in 30), and
   * so is the HbA1c of 9.9; the one of 2015-09-01 is 213 days back (all prior only). P2's
   * hypertension on the day itself is not read.
   */
  @Test
  void featuresAsOfAnyDateUseTheStoredDictionary() {
    Features.Result built = Features.build(spark, config);
    LocalDate asOf = LocalDate.of(2016, 4, 1);
    Dataset<Row> scored = Features.inDictionary(spark, config, built.dictionaryHash(),
        Cohort.asOf(lakehouse, config.task, asOf).rows());
    SimpleRegression allPrior = new SimpleRegression();
    allPrior.addData(-213 / 365.25, 5.6);
    allPrior.addData(-60 / 365.25, 6.0);
    allPrior.addData(-31 / 365.25, 9.9);
    assertSlots(vectors(scored), Map.of(
        "1 2016-04-01", slots(0, 55, 4, 1, 5, 3, 6, 1, 7, 3,
            15, NAN, 16, NAN, 17, NAN, 18, NAN, 19, NAN, 20, NAN,
            21, 2, 22, 9.9, 23, 6.0, 24, 9.9, 25, 7.95, 26, 3.9 / (29 / 365.25), 27, 31,
            28, 3, 29, 9.9, 30, 5.6, 31, 9.9, 32, 21.5 / 3, 33, allPrior.getSlope(), 34, 31,
            37, 1, 38, 1, 39, 1, 40, 1),
        "2 2016-04-01", slots(0, 45, 1, 1,
            15, NAN, 16, NAN, 17, NAN, 18, NAN, 19, NAN, 20, NAN,
            22, NAN, 23, NAN, 24, NAN, 25, NAN, 26, NAN, 27, NAN,
            29, NAN, 30, NAN, 31, NAN, 32, NAN, 33, NAN, 34, NAN)));
  }

  @Test
  void dictionaryNamesEverySlotWithItsCoverageOnTrainingRows() {
    Features.Result result = Features.build(spark, config);
    List<Row> dictionary = dictionary(result.dictionaryHash()).collectAsList();
    assertThat(dictionary).hasSize(41);
    Row edge = dictionary.get(2);
    assertThat(edge.getAs("name").toString()).isEqualTo("condition_320128_present_30d");
    assertThat((double) edge.getAs("coverage")).isCloseTo(2 / 3.0, within(1e-12));
    Row latest = dictionary.get(29);
    assertThat(latest.getAs("name").toString()).isEqualTo("measurement_3004410_latest_all");
    assertThat(latest.getAs("unit").toString()).isEqualTo("%");
    assertThat((double) latest.getAs("coverage")).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(dictionary).allSatisfy(row -> assertThat(row.getAs("dictionary_hash").toString())
        .isEqualTo(result.dictionaryHash()));
    assertThat(dictionary).noneMatch(row -> row.getAs("name").toString().startsWith("race_"));
  }

  /** The slots of one dictionary, in order. */
  private org.apache.spark.sql.Dataset<Row> dictionary(String hash) {
    return lakehouse.read(Tables.GOLD_FEATURE_DICTIONARY)
        .filter(org.apache.spark.sql.functions.col("dictionary_hash").equalTo(hash))
        .orderBy("slot");
  }

  @Test
  void eventsOnOrAfterIndexNeverChangeAFeature() {
    String hash = Features.build(spark, config).dictionaryHash();
    Map<String, Map<Integer, Double>> before = vectors();
    List<Row> dictionaryBefore = dictionary(hash).drop("coverage").collectAsList();

    try {
      conditions(true).writeTo(lakehouse, Tables.SILVER_CONDITION);
      measurements(true).writeTo(lakehouse, Tables.SILVER_MEASUREMENT);
      assertThat(Features.build(spark, config).dictionaryHash()).isEqualTo(hash);

      assertThat(vectors().toString()).isEqualTo(before.toString());
      assertThat(dictionary(hash).drop("coverage").collectAsList()).isEqualTo(dictionaryBefore);
    } finally {
      conditions(false).writeTo(lakehouse, Tables.SILVER_CONDITION);
      measurements(false).writeTo(lakehouse, Tables.SILVER_MEASUREMENT);
    }
  }

  @Test
  void protectedAttributesBecomeInputsOnlyWhenTheTaskAllowsIt() {
    FairgroveConfig allowed = config.with(
        List.of("task.features.protected-attributes-as-inputs=true"));
    String hash = Features.build(spark, allowed).dictionaryHash();
    List<String> names = dictionary(hash).select("name")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(names.subList(0, 9)).containsExactly("age_at_index", "sex_female", "race_AIAN",
        "race_Asian", "race_Black", "race_NHPI", "race_White", "race_Other",
        "ethnicity_hispanic");
  }

  @Test
  void aStoredDictionaryBuildsTheSameSlotsOnNewData() {
    Features.Result first = Features.build(spark, config);
    Map<String, Map<Integer, Double>> before = vectors();
    try {
      // A new concept, before both persons' index dates: a fresh build would make it a feature.
      conditions(false)
          .with("condition_occurrence_id", 30, "person_id", 1, "condition_concept_id", 4444,
              "condition_start_date", "2015-01-01")
          .with("condition_occurrence_id", 31, "person_id", 2, "condition_concept_id", 4444,
              "condition_start_date", "2015-01-01")
          .writeTo(lakehouse, Tables.SILVER_CONDITION);
      Features.Result reused = Features.build(spark, config.with(List.of(
          "task.features.dictionary=" + first.dictionaryHash())));
      assertThat(reused.dictionaryHash()).isEqualTo(first.dictionaryHash());
      assertThat(reused.slots()).isEqualTo(41);
      assertThat(vectors().toString()).isEqualTo(before.toString());

      Features.Result fresh = Features.build(spark, config);
      assertThat(fresh.dictionaryHash()).isNotEqualTo(first.dictionaryHash());
      assertThat(fresh.slots()).isEqualTo(41 + 6);
      // Both dictionaries stay: a model trained in the first can still be scored.
      assertThat(dictionary(first.dictionaryHash()).count()).isEqualTo(41);
      assertThat(dictionary(fresh.dictionaryHash()).count()).isEqualTo(47);
    } finally {
      conditions(false).writeTo(lakehouse, Tables.SILVER_CONDITION);
    }
  }

  @Test
  void anUnknownDictionaryIsAClearError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Features.build(spark,
            config.with(List.of("task.features.dictionary=0123456789abcdef"))))
        .isInstanceOf(org.fairgrove.pipeline.core.FairgroveError.class)
        .hasMessageContaining("has no feature dictionary 0123456789abcdef");
  }
}
