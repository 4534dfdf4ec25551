package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.fairgrove.pipeline.omop.Concepts;
import org.fairgrove.pipeline.omop.SourceConcepts;

/**
 * What the formats that are not OMOP already (Synthea CSV, FHIR) share: numeric source ids from
 * UUIDs, and source codes mapped to standard concepts through the shipped table. The same UUID
 * gives the same id in every format, so one population sent in two formats has one set of
 * pseudonyms.
 */
final class SourceCodes {
  private static final String DATE = "^\\d{4}-\\d{2}-\\d{2}";
  /** A date, or the year or year and month of one (FHIR's partial dates), maybe with a time. */
  private static final String PARTIAL_DATE = "^\\d{4}(-\\d{2}(-\\d{2})?)?($|T)";

  private SourceCodes() {}

  /** The non-negative 64-bit xxHash of a UUID (trimmed); null when the UUID is missing. */
  static Column sourceId(Column uuid) {
    return when(present(uuid), xxhash64(trim(uuid)).bitwiseAND(Long.MAX_VALUE));
  }

  /** A row id for records without one: the non-negative hash of the parts (null as ""). */
  static Column hashId(Column... parts) {
    List<Column> text = new ArrayList<>();
    for (Column part : parts) {
      text.add(coalesce(trim(part), lit("")));
    }
    return xxhash64(text.toArray(Column[]::new)).bitwiseAND(Long.MAX_VALUE);
  }

  /** A concept from a fixed table of values; 0 (no matching concept) otherwise. */
  static Column concept(Column value, Map<String, Integer> concepts) {
    List<Column> entries = new ArrayList<>();
    concepts.forEach((k, v) -> {
      entries.add(lit(k));
      entries.add(lit(v));
    });
    return coalesce(try_element_at(functions.map(entries.toArray(Column[]::new)), value),
        lit(Concepts.NO_MATCH));
  }

  /**
   * The standard concept of a source code in the shipped table (as text); 0 when it is not there.
   *
   * @param vocabulary the table's vocabulary name: SNOMED, LOINC, RxNorm, ICD10CM or UCUM
   */
  static Column mappedConcept(String vocabulary, Column code) {
    return concept(trim(code), VocabularyHolder.BY_VOCABULARY.getOrDefault(vocabulary, Map.of()))
        .cast("string");
  }

  /** The same, where the vocabulary name is a column (the code's system, row by row). */
  static Column mappedConcept(Column vocabulary, Column code) {
    return concept(concat_ws("|", vocabulary, trim(code)), VocabularyHolder.BY_KEY)
        .cast("string");
  }

  /** The OMOP columns a mapped format gives for the table, all as strings ({@link #shape}). */
  static List<String> columns(SourceTable table) {
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
   * The values, named by {@link #columns} in order, as strings, with the rows' lineage and, when
   * the rows have it, {@link Conform#SOURCE_REASON}.
   */
  static Dataset<Row> shape(SourceTable table, Dataset<Row> rows, List<Column> values) {
    List<String> names = columns(table);
    if (names.size() != values.size()) {
      throw new IllegalStateException("The mapping of " + table.table() + " gives "
          + values.size() + " values for " + names.size() + " columns");
    }
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      out.add(values.get(i).cast("string").as(names.get(i)));
    }
    SourceFiles.LINEAGE.forEach(column -> out.add(col(column)));
    if (List.of(rows.columns()).contains(Conform.SOURCE_REASON)) {
      out.add(col(Conform.SOURCE_REASON));
    }
    return rows.select(out.toArray(Column[]::new));
  }

  /**
   * Per patient, the first encounter's start and the last one's end: neither Synthea nor FHIR
   * resources give enrolment spans. Rows need columns patient, start and stop. Each span keeps the lineage of the patient's
   * first encounter row. Rows that cannot give dates are left out here; they are quarantined as
   * visits.
   */
  static Dataset<Row> firstToLastEncounter(Dataset<Row> encounters) {
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
   * Year, month or day of an ISO date (null when a partial date lacks it); the whole text when
   * it is no date, so parsing fails.
   */
  static Column datePart(Column date, int from, int length) {
    return when(date.rlike(PARTIAL_DATE), when(functions.length(date).geq(from + length - 1),
        substring(date, from, length))).otherwise(date);
  }

  static Column present(Column raw) {
    return raw.isNotNull().and(trim(raw).notEqual(""));
  }

  /** The shipped code-to-concept table, read once. */
  private static final class VocabularyHolder {
    /** Concepts by vocabulary, then code. */
    static final Map<String, Map<String, Integer>> BY_VOCABULARY = new LinkedHashMap<>();
    /** Every concept by "VOCABULARY|CODE". */
    static final Map<String, Integer> BY_KEY = new LinkedHashMap<>();

    static {
      SourceConcepts.byVocabulary().forEach((vocabulary, codes) -> codes.forEach((code, e) -> {
        BY_VOCABULARY.computeIfAbsent(vocabulary, v -> new LinkedHashMap<>())
            .put(code, e.conceptId());
        BY_KEY.put(vocabulary + "|" + code, e.conceptId());
      }));
    }
  }
}
