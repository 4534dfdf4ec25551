package org.fairgrove.pipeline.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.regexp_extract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Schemas;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.SameRows;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against what it promises: same seed, same bytes; the OMOP shape holds; onsets
 * follow the stated hazard model; each injected bias is measurably present and touches only its
 * group.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyntheticPopulationTest {
  private static final String BIASES = "synth.biases=["
      + "{kind=under-diagnosis, attribute=race, value=Black, strength=0.6},"
      + "{kind=missing-labs, attribute=ethnicity, value=Hispanic, strength=0.8},"
      + "{kind=fewer-visits, attribute=payer, value=Uninsured, strength=0.5},"
      + "{kind=coding-shift, attribute=site, value=S2, strength=1.0}]";

  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig plain;
  private FairgroveConfig biased;

  SyntheticPopulationTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void generateBothPopulations() {
    plain = SparkTestSession.testConfig(dir.resolve("plain"), "synth.persons=4000");
    biased = SparkTestSession.testConfig(dir.resolve("biased"), "synth.persons=4000", BIASES);
    SyntheticPopulation.generate(spark, plain);
    SyntheticPopulation.generate(spark, biased);
  }

  private Dataset<Row> source(FairgroveConfig config, String table) {
    return spark.read().option("header", "true").schema(Schemas.load("omop/" + table))
        .csv(config.synth.out() + "/*/" + table);
  }

  private Dataset<Row> truth(FairgroveConfig config, org.fairgrove.pipeline.lakehouse.Table t) {
    return new Lakehouse(spark, config.lakehouse.root()).read(t);
  }

  private long count(FairgroveConfig config, String sql) {
    return (long) number(config, sql);
  }

  private double number(FairgroveConfig config, String sql) {
    source(config, "person").createOrReplaceTempView("person");
    source(config, "visit_occurrence").createOrReplaceTempView("visit");
    source(config, "condition_occurrence").createOrReplaceTempView("cond");
    source(config, "measurement").createOrReplaceTempView("meas");
    source(config, "observation_period").createOrReplaceTempView("op");
    source(config, "payer_plan_period").createOrReplaceTempView("payer");
    truth(config, Tables.TRUTH_PERSON_ONSET).createOrReplaceTempView("onset");
    truth(config, Tables.TRUTH_PERSON_YEAR_RISK).createOrReplaceTempView("risk");
    return ((Number) spark.sql(sql).first().get(0)).doubleValue();
  }

  @Test
  void sameSeedWritesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
    FairgroveConfig again = SparkTestSession.testConfig(dir.resolve("again"),
        "synth.persons=4000");
    SyntheticPopulation.generate(spark, again);
    assertThat(contents(Path.of(again.synth.out())))
        .isEqualTo(contents(Path.of(plain.synth.out())));

    FairgroveConfig otherSeed = SparkTestSession.testConfig(dir.resolve("other"),
        "synth.persons=4000", "run.seed=99");
    SyntheticPopulation.generate(spark, otherSeed);
    Map<String, String> other = contents(Path.of(otherSeed.synth.out()));
    assertThat(other.keySet()).isEqualTo(contents(Path.of(plain.synth.out())).keySet());
    assertThat(other.get("S1/visit_occurrence/part-00000.csv"))
        .isNotEqualTo(contents(Path.of(plain.synth.out()))
            .get("S1/visit_occurrence/part-00000.csv"));
  }

  /**
   * A release as of 2019-12-31 and the batch after it, merged by natural key, are the release as
   * of the end date, except the batch's amended measurements; nothing is sent twice otherwise.
   */
  @Test
  void aFirstReleaseAndTheNextBatchAddUpToTheLaterRelease() {
    FairgroveConfig first = SparkTestSession.testConfig(dir.resolve("first"),
        "synth.persons=4000", "synth.as-of=\"2019-12-31\"");
    FairgroveConfig batch = SparkTestSession.testConfig(dir.resolve("batch"),
        "synth.persons=4000", "synth.after=\"2019-12-31\"", "synth.corrections=0.05");
    SyntheticPopulation.generate(spark, first);
    SyntheticPopulation.generate(spark, batch);
    String[][] keyed = {{"person", "person_id"}, {"visit_occurrence", "visit_occurrence_id"},
        {"condition_occurrence", "condition_occurrence_id"},
        {"drug_exposure", "drug_exposure_id"}, {"measurement", "measurement_id"},
        {"death", "person_id"}, {"observation_period", "observation_period_id"},
        {"payer_plan_period", "payer_plan_period_id"}};
    for (String[] table : keyed) {
      Dataset<Row> before = source(first, table[0]);
      Dataset<Row> after = source(batch, table[0]);
      Dataset<Row> merged = before.join(after, before.col(table[1]).equalTo(after.col(table[1])),
          "left_anti").unionByName(after);
      Dataset<Row> later = source(plain, table[0]);
      Dataset<Row> differing = SameRows.surplus(merged, later);
      if (table[0].equals("measurement")) {
        Dataset<Row> resent = before.select(table[1]).join(after.select(table[1]), table[1]);
        assertThat(differing.join(resent, table[1], "left_semi").count()).isPositive();
        differing = differing.join(resent, table[1], "left_anti");
      }
      assertThat(differing.count()).as(table[0]).isZero();
    }
    assertThat(count(first, "SELECT count(*) FROM visit WHERE visit_start_date > '2019-12-31'"))
        .isZero();
    assertThat(count(first, "SELECT count(*) FROM op WHERE observation_period_end_date"
        + " > '2019-12-31'")).isZero();
    assertThat(source(batch, "person").count()).isPositive();
    assertThat(source(batch, "visit_occurrence").filter("visit_start_date <= '2019-12-31'")
        .count()).isZero();

    // Amended: about 5% of the earlier measurements with a value, each at 1.02 times it.
    Dataset<Row> earlier = source(first, "measurement").filter("value_as_number IS NOT NULL");
    Dataset<Row> amended = earlier.as("e").join(source(batch, "measurement").as("b"),
        "measurement_id");
    long n = earlier.count();
    long k = amended.count();
    assertThat((double) k).isCloseTo(0.05 * n, within(4 * Math.sqrt(n * 0.05 * 0.95)));
    assertThat(amended.filter("abs(b.value_as_number - round(e.value_as_number * 1.02, 2))"
        + " > 1e-9 OR b.measurement_date != e.measurement_date").count()).isZero();
  }

  @Test
  void eachSiteFolderHoldsExactlyItsOwnPersons() {
    long total = 0;
    for (String site : SyntheticPopulation.siteIds(plain)) {
      Dataset<Row> persons = spark.read().option("header", "true")
          .schema(Schemas.load("omop/person"))
          .csv(plain.synth.out() + "/" + site + "/person");
      long count = persons.count();
      assertThat(count).as(site).isPositive();
      assertThat(persons.filter("person_source_value NOT LIKE '" + site + "-%'").count())
          .as(site).isZero();
      total += count;
    }
    assertThat(total).isEqualTo(4000);
  }

  @Test
  void omopShapeHolds() {
    assertThat(count(plain, "SELECT count(*) FROM person")).isEqualTo(4000);
    assertThat(count(plain, "SELECT count(DISTINCT person_id) FROM op")).isEqualTo(4000);
    // Every visit lies inside its person's observation period.
    assertThat(count(plain, "SELECT count(*) FROM visit v JOIN op USING (person_id)"
        + " WHERE v.visit_start_date < op.observation_period_start_date"
        + " OR v.visit_end_date > op.observation_period_end_date")).isZero();
    // Every condition and measurement points at a visit of the same person.
    assertThat(count(plain, "SELECT count(*) FROM cond c LEFT JOIN visit v"
        + " ON c.visit_occurrence_id = v.visit_occurrence_id AND c.person_id = v.person_id"
        + " WHERE v.visit_occurrence_id IS NULL")).isZero();
    assertThat(count(plain, "SELECT count(*) - count(DISTINCT measurement_id) FROM meas"))
        .isZero();
    // Sites differ in mix: the urban archetype (S1) has three times the suburban (S2) share of
    // Black patients (27% vs 9%).
    double s1 = number(plain, "SELECT count_if(race_concept_id = 8516) / count(*)"
        + " FROM person WHERE person_source_value LIKE 'S1-%'");
    double s2 = number(plain, "SELECT count_if(race_concept_id = 8516) / count(*)"
        + " FROM person WHERE person_source_value LIKE 'S2-%'");
    assertThat(s1).isCloseTo(0.27, within(0.04));
    assertThat(s2).isCloseTo(0.09, within(0.03));
  }

  @Test
  void onsetsFollowTheHazardModelAndAreRecordedOnlyLater() {
    // Incident onsets over all person-years should match the summed true one-year risks
    // (partial years make the sum a slight overestimate).
    long incident = count(plain, "SELECT count(*) FROM onset"
        + " WHERE true_onset_date IS NOT NULL AND NOT prevalent_at_entry");
    double expected = spark.sql("SELECT sum(true_risk) FROM risk").first().getDouble(0);
    assertThat(incident).isGreaterThan(50);
    assertThat(incident / expected).isBetween(0.75, 1.1);
    // Prevalence of diabetes at entry among adults is in the range of national surveys.
    double prevalence = number(plain, "SELECT count_if(prevalent_at_entry) / count(*)"
        + " FROM onset JOIN person USING (person_id) WHERE year_of_birth <= 1993");
    assertThat(prevalence).isBetween(0.06, 0.18);
    // A diagnosis is never recorded before the true onset, and the first E11.9 condition in the
    // source is the recorded onset in the truth table.
    assertThat(count(plain, "SELECT count(*) FROM onset"
        + " WHERE recorded_onset_date < true_onset_date")).isZero();
    assertThat(count(plain, "SELECT count(*) FROM onset o FULL JOIN (SELECT person_id,"
        + " min(condition_start_date) AS first FROM cond WHERE condition_source_value = 'E11.9'"
        + " GROUP BY person_id) c USING (person_id)"
        + " WHERE NOT (o.recorded_onset_date <=> c.first)")).isZero();
    // Incident diagnoses lag onset: recorded strictly after it.
    assertThat(count(plain, "SELECT count(*) FROM onset WHERE NOT prevalent_at_entry"
        + " AND recorded_onset_date IS NOT NULL AND recorded_onset_date <= true_onset_date"))
        .isZero();
  }

  @Test
  void biasesChangeWhatIsRecordedForTheirGroupOnly() {
    // The truth does not move.
    Dataset<Row> plainTruth = truth(plain, Tables.TRUTH_PERSON_ONSET).select("person_id",
        "true_onset_date");
    Dataset<Row> biasedTruth = truth(biased, Tables.TRUTH_PERSON_ONSET).select("person_id",
        "true_onset_date");
    assertThat(plainTruth.except(biasedTruth).count()).isZero();

    // Under-diagnosis: about 60% of Black patients with diabetes never get the diagnosis.
    String blackOnset = "FROM onset JOIN person USING (person_id)"
        + " WHERE true_onset_date IS NOT NULL AND race_concept_id = 8516";
    long blackCases = count(biased, "SELECT count(*) " + blackOnset);
    long suppressed = count(biased, "SELECT count_if(label_suppressed) " + blackOnset);
    assertThat(blackCases).isGreaterThan(80);
    assertThat((double) suppressed / blackCases).isCloseTo(0.6, within(0.15));
    assertThat(count(biased, "SELECT count_if(label_suppressed) FROM onset JOIN person"
        + " USING (person_id) WHERE race_concept_id <> 8516")).isZero();

    // Missing labs: Hispanic patients get about a fifth of the HbA1c results.
    String hispanicHba1c = "SELECT count(*) FROM meas JOIN person USING (person_id)"
        + " WHERE measurement_concept_id = 3004410 AND ethnicity_concept_id = 38003563";
    double labRatio = (double) count(biased, hispanicHba1c) / count(plain, hispanicHba1c);
    assertThat(labRatio).isCloseTo(0.2, within(0.07));

    // Fewer visits: uninsured patients make about half the visits.
    String uninsuredVisits = "SELECT count(*) FROM visit v JOIN payer p USING (person_id)"
        + " WHERE p.payer_source_value = 'Uninsured'"
        + " AND v.visit_start_date BETWEEN p.payer_plan_period_start_date"
        + " AND p.payer_plan_period_end_date";
    double visitRatio = (double) count(biased, uninsuredVisits) / count(plain, uninsuredVisits);
    assertThat(visitRatio).isCloseTo(0.5, within(0.08));

    // Coding shift: every diabetes diagnosis at S2 loses its standard concept, none elsewhere.
    String diabetesCodes = "SELECT count_if(condition_concept_id = 0) FROM cond JOIN person"
        + " USING (person_id) WHERE condition_source_value = 'E11.9' AND person_source_value";
    assertThat(count(biased, diabetesCodes + " LIKE 'S2-%'")).isEqualTo(
        count(biased, "SELECT count(*) FROM cond JOIN person USING (person_id)"
            + " WHERE condition_source_value = 'E11.9' AND person_source_value LIKE 'S2-%'"));
    assertThat(count(biased, diabetesCodes + " NOT LIKE 'S2-%'")).isZero();

    // Patients outside every biased group have exactly the same record.
    String untouched = "SELECT count(*) FROM meas JOIN person USING (person_id)"
        + " WHERE race_concept_id <> 8516 AND ethnicity_concept_id <> 38003563"
        + " AND person_id NOT IN (SELECT person_id FROM payer"
        + " WHERE payer_source_value = 'Uninsured')";
    assertThat(count(biased, untouched)).isEqualTo(count(plain, untouched));
  }

  @Test
  void reusesAnIdenticalPopulationAndRefusesForeignFolders() throws IOException {
    SynthResult reused = SyntheticPopulation.generateOrReuse(spark, plain);
    assertThat(reused.reused()).isTrue();
    assertThat(reused.rowsPerTable()).containsEntry("person", 4000L);

    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign.resolve("sources"));
    Files.writeString(foreign.resolve("sources/notes.txt"), "not a population");
    FairgroveConfig config = SparkTestSession.testConfig(foreign, "synth.persons=10");
    assertThatThrownBy(() -> SyntheticPopulation.generate(spark, config))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("holds files that Fairgrove did not write");
    assertThat(Files.readString(foreign.resolve("sources/notes.txt")))
        .isEqualTo("not a population");
  }

  /** Every visible file under a folder, by relative path. */
  private static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
        files.put(root.relativize(file).toString(), Files.readString(file));
      }
    }
    return files;
  }

  @Test
  void straightIntoSilverWritesTheSourceRowsInTheSilverContract() {
    FairgroveConfig direct = plain.with(List.of(
        "lakehouse.root=" + dir.resolve("direct").resolve("lakehouse")));
    SynthResult result = SyntheticPopulation.generateIntoSilver(spark, direct);
    Lakehouse lakehouse = new Lakehouse(spark, direct.lakehouse.root());
    for (String table : List.of("person", "death", "observation_period", "payer_plan_period",
        "visit_occurrence", "condition_occurrence", "drug_exposure", "measurement")) {
      Dataset<Row> silver = lakehouse.read(Tables.silver(table));
      Dataset<Row> source = source(plain, table).withColumn("site_id",
          regexp_extract(input_file_name(), "/(S[0-9]+)/" + table + "/", 1));
      assertThat(silver.schema().fieldNames()).as(table)
          .containsExactly(Schemas.load("silver/" + table).fieldNames());
      Column[] shared = Stream.of(silver.columns())
          .filter(List.of(source.columns())::contains).map(functions::col).toArray(Column[]::new);
      assertThat(result.rowsPerTable().get(table)).as(table).isEqualTo(source.count())
          .isEqualTo(silver.count());
      SameRows.assertSame(table, silver.select(shared), source.select(shared));
    }
  }
}
