package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.fairgrove.pipeline.omop.Concepts;

/**
 * The Synthea CSV mapping: Synthea's files (patients, encounters, conditions, observations,
 * medications, procedures, payer_transitions with payers) become the OMOP-shaped rows that every
 * source format hands to {@link Conform}, one OMOP table at a time. Every mapped row keeps the
 * file and row position of the Synthea row it came from; derived rows (observation periods from
 * encounters) take the first contributing row's.
 *
 * <p>Synthea ids are UUIDs and its event files have no row ids, while silver ids are numbers:
 * a source id is the non-negative 64-bit xxHash of the UUID (persons, visits) or of the whole
 * source row (events), which the guard then pseudonymises as it does any source id. Identifying
 * columns of patients.csv (names, SSN, licence, passport, address, lat/lon, full ZIP) are never
 * read into the mapped rows; the ZIP only passes through the guard's ZIP3 rule.
 */
final class SyntheaCsv implements SourceFormat {
  /** Synthea files the mapping reads, with the columns each must have (lower-cased). */
  static final Map<String, List<String>> REQUIRED_COLUMNS = requiredColumns();

  private static final String VOCABULARY = "fairgrove/vocab/synthea-concepts.csv";
  private static final String DATE = "^\\d{4}-\\d{2}-\\d{2}";

  /** The OMOP table's Synthea source file(s), and the Synthea columns the mapping reads. */
  private record Source(List<String> files, List<String> columns) {}

  private static final Map<SourceTable, Source> SOURCES = sources();

  static final SyntheaCsv FORMAT = new SyntheaCsv();

  private SyntheaCsv() {}

  private static Map<String, List<String>> requiredColumns() {
    Map<String, List<String>> required = new LinkedHashMap<>();
    required.put("patients", List.of("id", "birthdate", "gender", "race", "ethnicity"));
    required.put("encounters", List.of("id", "start", "stop", "patient", "encounterclass"));
    required.put("conditions", List.of("start", "patient", "code"));
    required.put("observations", List.of("date", "patient", "code", "value", "type"));
    required.put("medications", List.of("start", "patient", "code"));
    required.put("procedures", List.of("start", "patient", "code"));
    required.put("payer_transitions", List.of("patient", "start_date", "end_date", "payer"));
    required.put("payers", List.of("id", "name", "ownership"));
    return required;
  }

  private static Map<SourceTable, Source> sources() {
    Map<SourceTable, Source> sources = new LinkedHashMap<>();
    sources.put(SourceTable.PERSON, new Source(List.of("patients"),
        List.of("id", "birthdate", "gender", "race", "ethnicity", "zip")));
    sources.put(SourceTable.DEATH, new Source(List.of("patients"), List.of("id", "deathdate")));
    sources.put(SourceTable.OBSERVATION_PERIOD, new Source(List.of("encounters"),
        List.of("patient", "start", "stop")));
    sources.put(SourceTable.PAYER_PLAN_PERIOD, new Source(List.of("payer_transitions", "payers"),
        List.of("patient", "start_date", "end_date", "payer", "id", "name", "ownership")));
    sources.put(SourceTable.VISIT_OCCURRENCE, new Source(List.of("encounters"),
        List.of("id", "patient", "start", "stop", "encounterclass")));
    sources.put(SourceTable.CONDITION_OCCURRENCE, new Source(List.of("conditions"),
        List.of("start", "stop", "patient", "encounter", "system", "code")));
    sources.put(SourceTable.DRUG_EXPOSURE, new Source(List.of("medications"),
        List.of("start", "stop", "patient", "encounter", "code", "dispenses")));
    sources.put(SourceTable.PROCEDURE_OCCURRENCE, new Source(List.of("procedures"),
        List.of("start", "patient", "encounter", "system", "code")));
    sources.put(SourceTable.MEASUREMENT, new Source(List.of("observations"),
        List.of("date", "patient", "encounter", "code", "value", "units", "type")));
    sources.put(SourceTable.OBSERVATION, new Source(List.of("observations"),
        List.of("date", "patient", "encounter", "code", "value", "type")));
    return sources;
  }

  @Override
  public String name() {
    return IngestRequest.SYNTHEA_CSV;
  }

  @Override
  public SourceFiles.Kind fileKind() {
    return SourceFiles.Kind.CSV;
  }

  @Override
  public boolean uses(String fileTable) {
    return REQUIRED_COLUMNS.containsKey(fileTable);
  }

  @Override
  public List<String> requiredColumns(String fileTable) {
    return REQUIRED_COLUMNS.getOrDefault(fileTable, List.of());
  }

  /** Synthea writes files Fairgrove does not use (claims, allergies, ...): they stay unread. */
  @Override
  public Unused unused() {
    return Unused.NOT_MAPPED;
  }

  @Override
  public boolean provides(SourceTable table, SourceBatch batch) {
    Source source = SOURCES.get(table);
    return source != null && batch.has(source.files().get(0));
  }

  /** Columns of the table's source files that the mapping does not carry (dropped by design). */
  @Override
  public List<String> droppedColumns(SourceTable table, SourceBatch batch) {
    Source source = SOURCES.get(table);
    return batch.columns(source.files().get(0)).stream()
        .filter(column -> !source.columns().contains(column)).toList();
  }

  @Override
  public List<String> columns(SourceTable table, SourceBatch batch) {
    return omopColumns(table);
  }

  /** The OMOP column names {@link #rows} produces for the table (all as strings). */
  private static List<String> omopColumns(SourceTable table) {
    return switch (table) {
      case PERSON -> List.of("person_id", "gender_concept_id", "year_of_birth", "month_of_birth",
          "day_of_birth", "race_concept_id", "ethnicity_concept_id", "gender_source_value",
          "race_source_value", "ethnicity_source_value", "zip");
      case DEATH -> List.of("person_id", "death_date", "death_type_concept_id");
      case OBSERVATION_PERIOD -> List.of("observation_period_id", "person_id",
          "observation_period_start_date", "observation_period_end_date",
          "period_type_concept_id");
      case PAYER_PLAN_PERIOD -> List.of("payer_plan_period_id", "person_id",
          "payer_plan_period_start_date", "payer_plan_period_end_date", "payer_source_value");
      case VISIT_OCCURRENCE -> List.of("visit_occurrence_id", "person_id", "visit_concept_id",
          "visit_start_date", "visit_end_date", "visit_type_concept_id", "visit_source_value");
      case CONDITION_OCCURRENCE -> List.of("condition_occurrence_id", "person_id",
          "condition_concept_id", "condition_start_date", "condition_end_date",
          "condition_type_concept_id", "visit_occurrence_id", "condition_source_value",
          "condition_source_vocabulary");
      case DRUG_EXPOSURE -> List.of("drug_exposure_id", "person_id", "drug_concept_id",
          "drug_exposure_start_date", "drug_exposure_end_date", "drug_type_concept_id",
          "quantity", "visit_occurrence_id", "drug_source_value", "drug_source_vocabulary");
      case PROCEDURE_OCCURRENCE -> List.of("procedure_occurrence_id", "person_id",
          "procedure_concept_id", "procedure_date", "procedure_type_concept_id",
          "visit_occurrence_id", "procedure_source_value", "procedure_source_vocabulary");
      case MEASUREMENT -> List.of("measurement_id", "person_id", "measurement_concept_id",
          "measurement_date", "measurement_type_concept_id", "value_as_number",
          "unit_concept_id", "unit_source_value", "visit_occurrence_id",
          "measurement_source_value");
      case OBSERVATION -> List.of("observation_id", "person_id", "observation_concept_id",
          "observation_date", "observation_type_concept_id", "value_as_string",
          "visit_occurrence_id", "observation_source_value");
    };
  }

  /**
   * The table's rows in OMOP shape: {@link #columns} as strings, then source file, row position
   * and the malformed flag of the Synthea row each came from.
   *
   */
  @Override
  public Dataset<Row> rows(SourceTable table, SourceBatch batch) {
    Dataset<Row> source = batch.rows(SOURCES.get(table).files().get(0));
    String ehr = Integer.toString(Concepts.TYPE_EHR);
    return switch (table) {
      case PERSON -> shape(table, source, List.of(
          sourceId(col("id")),
          text(when(upper(trim(col("gender"))).equalTo("M"), lit(Concepts.MALE))
              .when(upper(trim(col("gender"))).equalTo("F"), lit(Concepts.FEMALE))),
          birthPart(1, 4), birthPart(6, 2), birthPart(9, 2),
          text(concept(lower(trim(col("race"))), Map.of("white", Concepts.RACE_WHITE,
              "black", Concepts.RACE_BLACK, "asian", Concepts.RACE_ASIAN,
              "native", Concepts.RACE_AIAN, "hawaiian", Concepts.RACE_NHPI))),
          text(concept(lower(trim(col("ethnicity"))), Map.of("hispanic", Concepts.HISPANIC,
              "nonhispanic", Concepts.NOT_HISPANIC))),
          col("gender"), col("race"), col("ethnicity"), optional(source, "zip")));
      case DEATH -> shape(table, source.where(present(col("deathdate"))),
          List.of(sourceId(col("id")), col("deathdate"), lit(ehr)));
      case OBSERVATION_PERIOD -> shape(table, firstToLastEncounter(source), List.of(
          sourceId(col("patient")), sourceId(col("patient")), col("start"), col("stop"),
          lit(ehr)));
      case PAYER_PLAN_PERIOD -> shape(table, withPayerCategory(source, batch), List.of(
          rowId(source, "patient", "start_date", "payer"), sourceId(col("patient")),
          col("start_date"), col("end_date"), col("_payer_category")));
      case VISIT_OCCURRENCE -> shape(table, source, List.of(
          sourceId(col("id")), sourceId(col("patient")),
          text(concept(lower(trim(col("encounterclass"))), Map.of(
              "ambulatory", Concepts.VISIT_OUTPATIENT, "wellness", Concepts.VISIT_OUTPATIENT,
              "outpatient", Concepts.VISIT_OUTPATIENT, "emergency", Concepts.VISIT_EMERGENCY,
              "urgentcare", Concepts.VISIT_EMERGENCY, "inpatient", Concepts.VISIT_INPATIENT))),
          col("start"), col("stop"), lit(ehr), col("encounterclass")));
      case CONDITION_OCCURRENCE -> shape(table, source, List.of(
          rowId(source, "patient", "encounter", "code", "start"), sourceId(col("patient")),
          mappedConcept("SNOMED", col("code")), col("start"), col("stop"), lit(ehr),
          visitId(source), col("code"), vocabulary(source, "SNOMED")));
      case DRUG_EXPOSURE -> shape(table, source, List.of(
          // Synthea can start one drug twice at a visit (a one-off and a continued course).
          rowId(source, "patient", "encounter", "code", "start", "stop"), sourceId(col("patient")),
          mappedConcept("RxNorm", col("code")), col("start"), col("stop"), lit(ehr),
          optional(source, "dispenses"), visitId(source), col("code"), lit("RxNorm")));
      case PROCEDURE_OCCURRENCE -> shape(table, source, List.of(
          rowId(source, "patient", "encounter", "code", "start"), sourceId(col("patient")),
          mappedConcept("SNOMED", col("code")), col("start"), lit(ehr), visitId(source),
          col("code"), vocabulary(source, "SNOMED")));
      case MEASUREMENT -> shape(table, source.where(numeric()), List.of(
          observationId(source), sourceId(col("patient")),
          mappedConcept("LOINC", col("code")), col("date"), lit(ehr), col("value"),
          mappedConcept("UCUM", optional(source, "units")), optional(source, "units"),
          visitId(source), col("code")));
      case OBSERVATION -> shape(table, source.where(not(coalesce(numeric(), lit(false)))),
          List.of(observationId(source), sourceId(col("patient")),
              mappedConcept("LOINC", col("code")), col("date"), lit(ehr), col("value"),
              visitId(source), col("code")));
    };
  }

  /** The values, named by {@link #columns} in order, as strings, with the rows' lineage. */
  private static Dataset<Row> shape(SourceTable table, Dataset<Row> rows, List<Column> values) {
    List<String> names = omopColumns(table);
    if (names.size() != values.size()) {
      throw new IllegalStateException("The Synthea mapping of " + table.table() + " gives "
          + values.size() + " values for " + names.size() + " columns");
    }
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      out.add(values.get(i).cast("string").as(names.get(i)));
    }
    SourceFiles.LINEAGE.forEach(column -> out.add(col(column)));
    return rows.select(out.toArray(Column[]::new));
  }

  /**
   * Per patient, the first encounter's start and the last one's end: Synthea has no enrolment
   * spans and its records cover the simulated life. Each span keeps the lineage of the patient's
   * first encounter row. Rows that cannot give dates are left out here; they are quarantined as
   * visits.
   */
  private static Dataset<Row> firstToLastEncounter(Dataset<Row> encounters) {
    Column usable = col(SourceFiles.ROW_MALFORMED).equalTo(false)
        .and(col("start").rlike(DATE)).and(col("stop").rlike(DATE)).and(present(col("patient")));
    return encounters.where(usable)
        .groupBy(col("patient"))
        .agg(min(substring(col("start"), 1, 10)).as("start"),
            max(substring(col("stop"), 1, 10)).as("stop"),
            min(struct(col(SourceFiles.SOURCE_FILE), col(SourceFiles.ROW_POSITION),
                col(SourceFiles.ROW_HASH))).as("_first_row"))
        .select(col("patient"), col("start"), col("stop"),
            col("_first_row." + SourceFiles.SOURCE_FILE).as(SourceFiles.SOURCE_FILE),
            col("_first_row." + SourceFiles.ROW_POSITION).as(SourceFiles.ROW_POSITION),
            lit(false).as(SourceFiles.ROW_MALFORMED),
            col("_first_row." + SourceFiles.ROW_HASH).as(SourceFiles.ROW_HASH));
  }

  /**
   * Synthea's payers as the categories Fairgrove slices by: no insurance is Uninsured, Medicare
   * and Medicaid keep their names, private plans are Commercial, anything else is kept as sent.
   */
  private static Dataset<Row> withPayerCategory(Dataset<Row> transitions, SourceBatch batch) {
    Column name = trim(col("_payer_name"));
    Column ownership = upper(trim(col("_payer_ownership")));
    Column category = when(ownership.equalTo("NO_INSURANCE").or(name.equalTo("NO_INSURANCE")),
        lit("Uninsured"))
        .when(name.isin("Medicare", "Medicaid"), name)
        .when(ownership.equalTo("PRIVATE"), lit("Commercial"))
        .otherwise(name);
    if (!batch.has("payers")) {
      return transitions.withColumn("_payer_category", lit(null).cast("string"));
    }
    Dataset<Row> named = batch.rows("payers").where(col(SourceFiles.ROW_MALFORMED).equalTo(false))
        .select(col("id").as("_payer_id"), col("name").as("_payer_name"),
            col("ownership").as("_payer_ownership"))
        .dropDuplicates("_payer_id");
    return transitions.join(broadcast(named), col("payer").equalTo(col("_payer_id")), "left")
        .withColumn("_payer_category", category);
  }

  private static Column numeric() {
    return lower(trim(col("type"))).equalTo("numeric");
  }

  /** The non-negative 64-bit xxHash of a Synthea UUID; null when the UUID is missing. */
  private static Column sourceId(Column uuid) {
    return when(present(uuid), xxhash64(trim(uuid)).bitwiseAND(Long.MAX_VALUE));
  }

  private static Column visitId(Dataset<Row> source) {
    return sourceId(optional(source, "encounter"));
  }

  /**
   * A row id for files without one: the hash of the columns that identify the record (patient,
   * encounter, code, start), so a later export with corrected content merges onto it.
   */
  private static Column rowId(Dataset<Row> source, String... key) {
    List<Column> parts = new ArrayList<>();
    for (String name : key) {
      parts.add(coalesce(trim(optional(source, name)), lit("")));
    }
    return xxhash64(parts.toArray(Column[]::new)).bitwiseAND(Long.MAX_VALUE);
  }

  /** One code can be recorded twice at a visit with different values, so the value is identity. */
  private static Column observationId(Dataset<Row> source) {
    return rowId(source, "patient", "encounter", "code", "date", "value");
  }

  /** Year, month or day of BIRTHDATE; the whole text when it is no date, so parsing fails. */
  private static Column birthPart(int from, int length) {
    return when(col("birthdate").rlike(DATE), substring(col("birthdate"), from, length))
        .otherwise(col("birthdate"));
  }

  private static Column vocabulary(Dataset<Row> source, String fallback) {
    Column system = upper(trim(optional(source, "system")));
    return when(system.startsWith("SNOMED"), lit("SNOMED"))
        .otherwise(coalesce(optional(source, "system"), lit(fallback)));
  }

  /** A concept from a fixed table of values; 0 (no matching concept) otherwise. */
  private static Column concept(Column value, Map<String, Integer> concepts) {
    List<Column> entries = new ArrayList<>();
    concepts.forEach((k, v) -> {
      entries.add(lit(k));
      entries.add(lit(v));
    });
    return coalesce(try_element_at(functions.map(entries.toArray(Column[]::new)), value),
        lit(Concepts.NO_MATCH));
  }

  /** The standard concept of a source code in the shipped vocabulary; 0 when it is not there. */
  private static Column mappedConcept(String vocabulary, Column code) {
    return text(concept(trim(code), VocabularyHolder.BY_VOCABULARY
        .getOrDefault(vocabulary, Map.of())));
  }

  private static Column text(Column value) {
    return value.cast("string");
  }

  private static Column optional(Dataset<Row> source, String column) {
    return List.of(source.columns()).contains(column) ? col(column)
        : lit(null).cast("string");
  }

  private static Column present(Column raw) {
    return raw.isNotNull().and(trim(raw).notEqual(""));
  }

  /** The shipped code-to-concept table, read once. */
  private static final class VocabularyHolder {
    static final Map<String, Map<String, Integer>> BY_VOCABULARY = load();

    private static Map<String, Map<String, Integer>> load() {
      try (InputStream in = SyntheaCsv.class.getClassLoader().getResourceAsStream(VOCABULARY)) {
        if (in == null) {
          throw new IllegalStateException(VOCABULARY + " is not on the classpath");
        }
        Map<String, Map<String, Integer>> byVocabulary = new LinkedHashMap<>();
        new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .forEach(line -> {
              String[] fields = line.split(",", 4);
              byVocabulary.computeIfAbsent(fields[0], v -> new LinkedHashMap<>())
                  .put(fields[1], Integer.parseInt(fields[2]));
            });
        return byVocabulary;
      } catch (IOException e) {
        throw new UncheckedIOException("Reading " + VOCABULARY + " failed", e);
      }
    }
  }
}
