package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.fairgrove.pipeline.ingest.SourceCodes.concept;
import static org.fairgrove.pipeline.ingest.SourceCodes.datePart;
import static org.fairgrove.pipeline.ingest.SourceCodes.mappedConcept;
import static org.fairgrove.pipeline.ingest.SourceCodes.present;
import static org.fairgrove.pipeline.ingest.SourceCodes.sourceId;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
    return SourceCodes.columns(table);
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
      case PERSON -> SourceCodes.shape(table, source, List.of(
          sourceId(col("id")),
          when(upper(trim(col("gender"))).equalTo("M"), lit(Concepts.MALE))
              .when(upper(trim(col("gender"))).equalTo("F"), lit(Concepts.FEMALE)),
          datePart(col("birthdate"), 1, 4), datePart(col("birthdate"), 6, 2),
          datePart(col("birthdate"), 9, 2),
          concept(lower(trim(col("race"))), Map.of("white", Concepts.RACE_WHITE,
              "black", Concepts.RACE_BLACK, "asian", Concepts.RACE_ASIAN,
              "native", Concepts.RACE_AIAN, "hawaiian", Concepts.RACE_NHPI)),
          concept(lower(trim(col("ethnicity"))), Map.of("hispanic", Concepts.HISPANIC,
              "nonhispanic", Concepts.NOT_HISPANIC)),
          col("gender"), col("race"), col("ethnicity"), optional(source, "zip")));
      case DEATH -> SourceCodes.shape(table, source.where(present(col("deathdate"))),
          List.of(sourceId(col("id")), col("deathdate"), lit(ehr)));
      case OBSERVATION_PERIOD -> SourceCodes.shape(table, SourceCodes.firstToLastEncounter(source), List.of(
          sourceId(col("patient")), sourceId(col("patient")), col("start"), col("stop"),
          lit(ehr)));
      case PAYER_PLAN_PERIOD -> SourceCodes.shape(table, withPayerCategory(source, batch), List.of(
          rowId(source, "patient", "start_date", "payer"), sourceId(col("patient")),
          col("start_date"), col("end_date"), col("_payer_category")));
      case VISIT_OCCURRENCE -> SourceCodes.shape(table, source, List.of(
          sourceId(col("id")), sourceId(col("patient")),
          concept(lower(trim(col("encounterclass"))), Map.of(
              "ambulatory", Concepts.VISIT_OUTPATIENT, "wellness", Concepts.VISIT_OUTPATIENT,
              "outpatient", Concepts.VISIT_OUTPATIENT, "emergency", Concepts.VISIT_EMERGENCY,
              "urgentcare", Concepts.VISIT_EMERGENCY, "inpatient", Concepts.VISIT_INPATIENT)),
          col("start"), col("stop"), lit(ehr), col("encounterclass")));
      case CONDITION_OCCURRENCE -> SourceCodes.shape(table, source, List.of(
          rowId(source, "patient", "encounter", "code", "start"), sourceId(col("patient")),
          mappedConcept("SNOMED", col("code")), col("start"), col("stop"), lit(ehr),
          visitId(source), col("code"), vocabulary(source, "SNOMED")));
      case DRUG_EXPOSURE -> SourceCodes.shape(table, source, List.of(
          // Synthea can start one drug twice at a visit (a one-off and a continued course).
          rowId(source, "patient", "encounter", "code", "start", "stop"), sourceId(col("patient")),
          mappedConcept("RxNorm", col("code")), col("start"), col("stop"), lit(ehr),
          optional(source, "dispenses"), visitId(source), col("code"), lit("RxNorm")));
      case PROCEDURE_OCCURRENCE -> SourceCodes.shape(table, source, List.of(
          rowId(source, "patient", "encounter", "code", "start"), sourceId(col("patient")),
          mappedConcept("SNOMED", col("code")), col("start"), lit(ehr), visitId(source),
          col("code"), vocabulary(source, "SNOMED")));
      case MEASUREMENT -> SourceCodes.shape(table, source.where(numeric()), List.of(
          observationId(source), sourceId(col("patient")),
          mappedConcept("LOINC", col("code")), col("date"), lit(ehr), col("value"),
          mappedConcept("UCUM", optional(source, "units")), optional(source, "units"),
          visitId(source), col("code")));
      case OBSERVATION -> SourceCodes.shape(table, source.where(not(coalesce(numeric(), lit(false)))),
          List.of(observationId(source), sourceId(col("patient")),
              mappedConcept("LOINC", col("code")), col("date"), lit(ehr), col("value"),
              visitId(source), col("code")));
    };
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

  private static Column visitId(Dataset<Row> source) {
    return sourceId(optional(source, "encounter"));
  }

  /**
   * A row id for files without one: the hash of the columns that identify the record (patient,
   * encounter, code, start), so a later export with corrected content merges onto it.
   */
  private static Column rowId(Dataset<Row> source, String... key) {
    return SourceCodes.hashId(Arrays.stream(key).map(name -> optional(source, name))
        .toArray(Column[]::new));
  }

  /** One code can be recorded twice at a visit with different values, so the value is identity. */
  private static Column observationId(Dataset<Row> source) {
    return rowId(source, "patient", "encounter", "code", "date", "value");
  }

  private static Column vocabulary(Dataset<Row> source, String fallback) {
    Column system = upper(trim(optional(source, "system")));
    return when(system.startsWith("SNOMED"), lit("SNOMED"))
        .otherwise(coalesce(optional(source, "system"), lit(fallback)));
  }

  private static Column optional(Dataset<Row> source, String column) {
    return List.of(source.columns()).contains(column) ? col(column)
        : lit(null).cast("string");
  }
}
