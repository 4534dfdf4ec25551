package org.fairgrove.pipeline.synth;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.fairgrove.pipeline.omop.Concepts;
import org.fairgrove.pipeline.omop.SourceConcepts;

/**
 * The synthetic population as FHIR R4 resources, one JSON line each, as a Bulk Data export
 * holds them: person (with its death) as Patient, visits as Encounter, conditions as Condition,
 * drugs as MedicationRequest, measurements as Observation with a Quantity, payer plans as
 * Coverage. FHIR has no observation period (ingest derives it from the encounters), so none is
 * written. Codes go in the systems the shipped concept table knows, so ingest maps them back to
 * the same standard concepts.
 */
final class FhirResources {
  private static final String CLINICAL_STATUS =
      "http://terminology.hl7.org/CodeSystem/condition-clinical";
  private static final String CODING = "STRUCT<system: STRING, code: STRING, display: STRING>";

  private FhirResources() {}

  /** The resource type each written table becomes; tables not here are not written. */
  static final Map<Output, String> TYPES = Map.of(Output.PERSON, "Patient",
      Output.VISIT_OCCURRENCE, "Encounter", Output.CONDITION_OCCURRENCE, "Condition",
      Output.DRUG_EXPOSURE, "MedicationRequest", Output.MEASUREMENT, "Observation",
      Output.PAYER_PLAN_PERIOD, "Coverage");

  /**
   * One {@code value} column of JSON lines for the table's rows.
   *
   * @param deaths the site's death rows, for Patient.deceasedDateTime
   */
  static Dataset<Row> of(Output table, Dataset<Row> rows, Dataset<Row> deaths) {
    Column resource = switch (table) {
      case PERSON -> patient();
      case VISIT_OCCURRENCE -> encounter();
      case CONDITION_OCCURRENCE -> condition();
      case DRUG_EXPOSURE -> medicationRequest();
      case MEASUREMENT -> observation();
      case PAYER_PLAN_PERIOD -> coverage();
      default -> throw new IllegalArgumentException(table + " has no FHIR resource type");
    };
    // Broadcast: the persons keep their partitions (and the files their person order); deaths
    // are a few percent of persons, two columns each.
    Dataset<Row> source = table == Output.PERSON
        ? rows.join(broadcast(deaths.select("person_id", "death_date")),
            new String[] {"person_id"}, "left")
        : rows;
    return source.select(to_json(resource).as("value"));
  }

  private static Column patient() {
    return struct(type("Patient"), id("person_id"),
        when(col("gender_concept_id").equalTo(Concepts.FEMALE), lit("female"))
            .when(col("gender_concept_id").equalTo(Concepts.MALE), lit("male"))
            .otherwise(lit("unknown")).as("gender"),
        // A partial date (YYYY or YYYY-MM) where the month or day is unknown, as FHIR allows.
        concat_ws("-", format_string("%04d", col("year_of_birth")),
            when(col("month_of_birth").isNotNull(), format_string("%02d", col("month_of_birth"))),
            when(col("month_of_birth").isNotNull().and(col("day_of_birth").isNotNull()),
                format_string("%02d", col("day_of_birth")))).as("birthDate"),
        date(col("death_date")).as("deceasedDateTime"),
        array(omb(SourceConcepts.US_CORE_RACE, SourceConcepts.OMB_RACE, "race_concept_id"),
            omb(SourceConcepts.US_CORE_ETHNICITY, SourceConcepts.OMB_ETHNICITY,
                "ethnicity_concept_id")).as("extension"));
  }

  /**
   * A US Core race or ethnicity extension: the OMB category of the concept (when it has one) and
   * the text US Core requires.
   */
  private static Column omb(String url, Map<String, Integer> categories, String concept) {
    Map<Integer, String> codes = new HashMap<>();
    categories.forEach((code, conceptId) -> codes.put(conceptId, code));
    Column code = try_element_at(mapOf(codes), col(concept));
    Column display = try_element_at(mapOf(SourceConcepts.OMB_DISPLAY), code);
    Column category = when(code.isNotNull(), struct(lit("ombCategory").as("url"), struct(
        lit(SourceConcepts.CDC_RACE_ETHNICITY).as("system"), code.as("code"),
        display.as("display")).as("valueCoding"), lit(null).cast("string").as("valueString")));
    Column text = struct(lit("text").as("url"), lit(null).cast(CODING).as("valueCoding"),
        coalesce(display, lit("Other")).as("valueString"));
    return struct(lit(url).as("url"), filter(array(category, text), e -> e.isNotNull())
        .as("extension"));
  }

  /** A map column of a Java map's entries. */
  private static <K, V> Column mapOf(Map<K, V> entries) {
    List<Column> pairs = new ArrayList<>();
    entries.forEach((key, value) -> {
      pairs.add(lit(key));
      pairs.add(lit(value));
    });
    return functions.map(pairs.toArray(Column[]::new));
  }

  private static Column encounter() {
    Column visitClass = when(col("visit_concept_id").equalTo(Concepts.VISIT_INPATIENT),
        lit("IMP")).when(col("visit_concept_id").equalTo(Concepts.VISIT_EMERGENCY), lit("EMER"))
        .otherwise(lit("AMB"));
    return struct(type("Encounter"), id("visit_occurrence_id"), lit("finished").as("status"),
        struct(lit("http://terminology.hl7.org/CodeSystem/v3-ActCode").as("system"),
            visitClass.as("code")).as("class"),
        subject(), period("visit_start_date", "visit_end_date"));
  }

  private static Column condition() {
    Column status = when(col("condition_end_date").isNotNull(), lit("resolved"))
        .otherwise(lit("active"));
    return struct(type("Condition"), id("condition_occurrence_id"),
        struct(array(struct(lit(CLINICAL_STATUS).as("system"), status.as("code")))
            .as("coding")).as("clinicalStatus"),
        subject(), encounter("visit_occurrence_id"),
        codeable("ICD10CM", col("condition_source_value"), null),
        date(col("condition_start_date")).as("onsetDateTime"),
        date(col("condition_end_date")).as("abatementDateTime"));
  }

  /** Drugs carry the RxNorm code of their ingredient concept and the product as text. */
  private static Column medicationRequest() {
    Map<Integer, String> codes = new HashMap<>();
    SourceConcepts.byVocabulary().getOrDefault("RxNorm", Map.of()).values()
        .forEach(e -> codes.putIfAbsent(e.conceptId(), e.code()));
    Column rxnorm = try_element_at(mapOf(codes), col("drug_concept_id"));
    return struct(type("MedicationRequest"), id("drug_exposure_id"),
        lit("completed").as("status"), lit("order").as("intent"), subject(),
        encounter("visit_occurrence_id"),
        codeable("RxNorm", rxnorm, col("drug_source_value")).as("medicationCodeableConcept"),
        date(col("drug_exposure_start_date")).as("authoredOn"),
        struct(struct(col("quantity").as("value")).as("quantity")).as("dispenseRequest"));
  }

  private static Column observation() {
    return struct(type("Observation"), id("measurement_id"), lit("final").as("status"),
        subject(), encounter("visit_occurrence_id"),
        codeable("LOINC", col("measurement_source_value"), null),
        date(col("measurement_date")).as("effectiveDateTime"),
        struct(col("value_as_number").as("value"), col("unit_source_value").as("unit"),
            lit(SourceConcepts.FHIR_SYSTEMS.get("UCUM")).as("system"),
            col("unit_source_value").as("code")).as("valueQuantity"));
  }

  private static Column coverage() {
    return struct(type("Coverage"), id("payer_plan_period_id"), lit("active").as("status"),
        struct(reference("Patient", col("person_id")).as("reference")).as("beneficiary"),
        array(struct(col("payer_source_value").as("display"))).as("payor"),
        period("payer_plan_period_start_date", "payer_plan_period_end_date"));
  }

  private static Column type(String type) {
    return lit(type).as("resourceType");
  }

  private static Column id(String column) {
    return col(column).cast("string").as("id");
  }

  private static Column subject() {
    return struct(reference("Patient", col("person_id")).as("reference")).as("subject");
  }

  private static Column encounter(String visitColumn) {
    return when(col(visitColumn).isNotNull(), struct(reference("Encounter", col(visitColumn))
        .as("reference"))).as("encounter");
  }

  private static Column reference(String type, Column id) {
    return concat(lit(type + "/"), id.cast("string"));
  }

  /** A CodeableConcept named "code" with one coding in the vocabulary's system. */
  private static Column codeable(String vocabulary, Column code, Column text) {
    Column coding = struct(lit(SourceConcepts.FHIR_SYSTEMS.get(vocabulary)).as("system"),
        code.as("code"));
    return struct(when(code.isNotNull(), array(coding)).as("coding"),
        (text == null ? lit(null).cast("string") : text).as("text")).as("code");
  }

  private static Column period(String start, String end) {
    return struct(date(col(start)).as("start"), date(col(end)).as("end")).as("period");
  }

  private static Column date(Column date) {
    return date_format(date, "yyyy-MM-dd");
  }
}
