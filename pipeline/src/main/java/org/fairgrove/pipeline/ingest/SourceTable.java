package org.fairgrove.pipeline.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.lakehouse.Schemas;

/**
 * The OMOP tables ingest knows, in the order they are conformed (person and death first: the
 * other tables are checked against birth and death), with what the checks need to know of each.
 * Columns and types come from the silver contract (schemas/silver/TABLE.ddl).
 */
enum SourceTable {
  PERSON("person_id", null, null, "gender_concept_id"),
  DEATH("person_id", "death_date", null, null),
  OBSERVATION_PERIOD("observation_period_id", "observation_period_start_date",
      "observation_period_end_date", null),
  PAYER_PLAN_PERIOD("payer_plan_period_id", "payer_plan_period_start_date",
      "payer_plan_period_end_date", null),
  VISIT_OCCURRENCE("visit_occurrence_id", "visit_start_date", "visit_end_date",
      "visit_concept_id"),
  CONDITION_OCCURRENCE("condition_occurrence_id", "condition_start_date", "condition_end_date",
      "condition_concept_id"),
  DRUG_EXPOSURE("drug_exposure_id", "drug_exposure_start_date", "drug_exposure_end_date",
      "drug_concept_id"),
  PROCEDURE_OCCURRENCE("procedure_occurrence_id", "procedure_date", null,
      "procedure_concept_id"),
  MEASUREMENT("measurement_id", "measurement_date", null, "measurement_concept_id"),
  OBSERVATION("observation_id", "observation_date", null, "observation_concept_id");

  /** Lineage columns every silver table ends with; ingest sets them, sources never do. */
  static final List<String> LINEAGE = List.of("site_id", "source_batch_id", "source_file");

  /** The source id of the row: with site_id, the natural key silver merges on. */
  final String keyColumn;
  /** The date the event happened (checked against birth and death); null for person. */
  final String eventDate;
  /** The end of the span, checked to be on or after {@link #eventDate}; null if no span. */
  final String endDate;

  /** The main concept column (0 when unmapped); null where the table has none. */
  final String conceptColumn;

  SourceTable(String keyColumn, String eventDate, String endDate, String conceptColumn) {
    this.keyColumn = keyColumn;
    this.eventDate = eventDate;
    this.endDate = endDate;
    this.conceptColumn = conceptColumn;
  }

  /** The table name, e.g. "visit_occurrence". */
  String table() {
    return name().toLowerCase(Locale.ROOT);
  }

  StructType silverSchema() {
    return Schemas.load("silver/" + table());
  }

  /** An event table: one whose rows happen on a date within a person's life. */
  boolean isEvent() {
    return this != PERSON && this != DEATH;
  }

  static Optional<SourceTable> byName(String table) {
    return Arrays.stream(values()).filter(t -> t.table().equals(table)).findFirst();
  }
}
