package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.posexplode_outer;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.fairgrove.pipeline.ingest.SourceCodes.concept;
import static org.fairgrove.pipeline.ingest.SourceCodes.datePart;
import static org.fairgrove.pipeline.ingest.SourceCodes.hashId;
import static org.fairgrove.pipeline.ingest.SourceCodes.mappedConcept;
import static org.fairgrove.pipeline.ingest.SourceCodes.present;
import static org.fairgrove.pipeline.ingest.SourceCodes.sourceId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.omop.Concepts;
import org.fairgrove.pipeline.omop.SourceConcepts;

/**
 * FHIR R4 Bulk Data: NDJSON files, one per resource type (Patient.ndjson, or numbered
 * Patient.1.ndjson, plain or .gz), as an EHR's $export or Synthea's bulk FHIR exporter writes
 * them. Each line is parsed by Spark's JSON reader with a schema of only the elements the mapping
 * uses, so the elements that identify a patient (name, telecom, address lines, identifier values,
 * photo, contact, birthplace, mother's maiden name) are never parsed, let alone written.
 *
 * <p>Resource ids and references (Patient/ID, urn:uuid:ID) become numeric source ids by the same
 * hash as Synthea's CSV UUIDs, so a population sent in both formats has one set of pseudonyms.
 * A line that is not JSON is a malformed row; a resource of another type than its file's is
 * quarantined as wrong_resource_type; a record whose patient reference resolves to no Patient
 * (in the batch or in silver) as unknown_person. Each source line is counted once, in the first
 * table its file feeds (Patient: person; Encounter: visit_occurrence; Observation: measurement
 * unless it is a well-formed non-numeric one), except that an Observation with components gives
 * one row per component (a blood pressure panel: systolic and diastolic), as Synthea's CSV does.
 */
final class FhirNdjson implements SourceFormat {
  static final FhirNdjson FORMAT = new FhirNdjson();

  private static final String CODEABLE =
      "STRUCT<coding: ARRAY<STRUCT<system: STRING, code: STRING, display: STRING>>, text: STRING>";
  private static final String REFERENCE = "STRUCT<reference: STRING>";
  private static final String PERIOD = "STRUCT<start: STRING, end: STRING>";
  private static final String QUANTITY =
      "STRUCT<value: STRING, unit: STRING, system: STRING, code: STRING>";
  private static final String CORRUPT = "_corrupt_record";
  private static final String PARSED = "_resource";

  /** Vocabulary names of the shipped concept table by FHIR code system URI. */
  private static final Map<String, String> SYSTEMS = SourceConcepts.FHIR_SYSTEMS.entrySet()
      .stream().collect(Collectors.toMap(Map.Entry::getValue,
          Map.Entry::getKey));
  private static final String RACE = SourceConcepts.US_CORE_RACE;
  private static final String ETHNICITY = SourceConcepts.US_CORE_ETHNICITY;

  /** The resource types read, by file table, with the elements read of each. */
  private static final Map<String, Resource> RESOURCES = resources();

  /** A resource type: its name and the schema of the elements the mapping reads. */
  private record Resource(String type, String schema) {
    String fileTable() {
      return type.toLowerCase(Locale.ROOT);
    }
  }

  private FhirNdjson() {}

  private static Map<String, Resource> resources() {
    List<Resource> all = List.of(
        new Resource("Patient", "gender STRING, birthDate STRING, deceasedDateTime STRING,"
            + " address ARRAY<STRUCT<postalCode: STRING>>, extension ARRAY<STRUCT<url: STRING,"
            + " extension: ARRAY<STRUCT<url: STRING, valueCoding: STRUCT<system: STRING,"
            + " code: STRING, display: STRING>>>>>"),
        new Resource("Encounter", "subject " + REFERENCE + ", period " + PERIOD
            + ", class STRUCT<system: STRING, code: STRING>"),
        new Resource("Condition", "subject " + REFERENCE + ", encounter " + REFERENCE
            + ", code " + CODEABLE + ", onsetDateTime STRING, onsetPeriod " + PERIOD
            + ", recordedDate STRING, abatementDateTime STRING"),
        new Resource("Observation", "subject " + REFERENCE + ", encounter " + REFERENCE
            + ", code " + CODEABLE + ", effectiveDateTime STRING, effectivePeriod " + PERIOD
            + ", effectiveInstant STRING, " + values("")
            + ", component ARRAY<STRUCT<code: " + CODEABLE + ", " + values(":") + ">>"),
        new Resource("MedicationRequest", "subject " + REFERENCE + ", encounter " + REFERENCE
            + ", medicationCodeableConcept " + CODEABLE + ", medicationReference " + REFERENCE
            + ", authoredOn STRING, dispenseRequest STRUCT<quantity: " + QUANTITY + ">"),
        new Resource("MedicationAdministration", "subject " + REFERENCE + ", context "
            + REFERENCE + ", medicationCodeableConcept " + CODEABLE + ", medicationReference "
            + REFERENCE + ", effectiveDateTime STRING, effectivePeriod " + PERIOD),
        new Resource("Medication", "code " + CODEABLE),
        new Resource("Procedure", "subject " + REFERENCE + ", encounter " + REFERENCE
            + ", code " + CODEABLE + ", performedDateTime STRING, performedPeriod " + PERIOD),
        new Resource("Coverage", "beneficiary " + REFERENCE + ", period " + PERIOD
            + ", payor ARRAY<STRUCT<display: STRING>>, type " + CODEABLE));
    Map<String, Resource> byFile = new LinkedHashMap<>();
    all.forEach(r -> byFile.put(r.fileTable(), r));
    return byFile;
  }

  /** The value[x] elements of an Observation or its component (sep ":" inside a STRUCT). */
  private static String values(String sep) {
    return String.join(", ", "valueQuantity" + sep + " " + QUANTITY,
        "valueCodeableConcept" + sep + " " + CODEABLE, "valueString" + sep + " STRING",
        "valueBoolean" + sep + " STRING", "valueInteger" + sep + " STRING");
  }

  /** The resource files each OMOP table is made from; the first must be in the batch. */
  private static List<String> sources(SourceTable table) {
    return switch (table) {
      case PERSON, DEATH -> List.of("patient");
      case OBSERVATION_PERIOD, VISIT_OCCURRENCE -> List.of("encounter");
      case CONDITION_OCCURRENCE -> List.of("condition");
      case MEASUREMENT, OBSERVATION -> List.of("observation");
      case DRUG_EXPOSURE -> List.of("medicationrequest", "medicationadministration");
      case PROCEDURE_OCCURRENCE -> List.of("procedure");
      case PAYER_PLAN_PERIOD -> List.of("coverage");
    };
  }

  @Override
  public String name() {
    return IngestRequest.FHIR_NDJSON;
  }

  @Override
  public SourceFiles.Kind fileKind() {
    return SourceFiles.Kind.NDJSON;
  }

  @Override
  public boolean uses(String fileTable) {
    return RESOURCES.containsKey(fileTable);
  }

  /** NDJSON has no header: a line's elements are checked as it is mapped. */
  @Override
  public List<String> requiredColumns(String fileTable) {
    return List.of();
  }

  /** Bulk exports hold resource types Fairgrove does not use (Claim, CarePlan, ...). */
  @Override
  public Unused unused() {
    return Unused.NOT_MAPPED;
  }

  @Override
  public boolean refusesUnknownPersons() {
    return true;
  }

  @Override
  public boolean provides(SourceTable table, SourceBatch batch) {
    return sources(table).stream().anyMatch(batch::has);
  }

  @Override
  public List<String> columns(SourceTable table, SourceBatch batch) {
    return SourceCodes.columns(table);
  }

  /** Elements of Patient that identify a person: never parsed (any other unread is not listed). */
  @Override
  public List<String> droppedColumns(SourceTable table, SourceBatch batch) {
    return table == SourceTable.PERSON ? List.of("identifier", "name", "telecom",
        "address (all but the ZIP's first three digits)", "photo", "contact",
        "extension:patient-birthPlace", "extension:patient-mothersMaidenName", "text")
        : List.of();
  }

  @Override
  public Dataset<Row> rows(SourceTable table, SourceBatch batch) {
    String ehr = Integer.toString(Concepts.TYPE_EHR);
    return switch (table) {
      case PERSON -> SourceCodes.shape(table, parsed(batch, "patient"), List.of(
          sourceId(field("id")),
          when(lower(trim(field("gender"))).equalTo("male"), lit(Concepts.MALE))
              .when(lower(trim(field("gender"))).equalTo("female"), lit(Concepts.FEMALE))
              .when(present(field("gender")), lit(Concepts.NO_MATCH)),
          datePart(field("birthDate"), 1, 4), datePart(field("birthDate"), 6, 2),
          datePart(field("birthDate"), 9, 2),
          concept(ombCode(RACE), SourceConcepts.OMB_RACE),
          concept(ombCode(ETHNICITY), SourceConcepts.OMB_ETHNICITY),
          field("gender"), ombDisplay(RACE), ombDisplay(ETHNICITY),
          try_element_at(field("address"), lit(1)).getField("postalCode")));
      case DEATH -> SourceCodes.shape(table, wellFormed(parsed(batch, "patient"))
          .where(present(field("deceasedDateTime"))),
          List.of(sourceId(field("id")), field("deceasedDateTime"), lit(ehr)));
      case OBSERVATION_PERIOD -> SourceCodes.shape(table, SourceCodes.firstToLastEncounter(
          parsed(batch, "encounter").select(col("*"), reference("subject").as("patient"),
              field("period").getField("start").as("start"),
              field("period").getField("end").as("stop"))), List.of(
          sourceId(col("patient")), sourceId(col("patient")), col("start"), col("stop"),
          lit(ehr)));
      case VISIT_OCCURRENCE -> visits(table, batch, ehr);
      case CONDITION_OCCURRENCE -> coded(table, parsed(batch, "condition"), field("code"),
          coalesce(field("onsetDateTime"), field("onsetPeriod").getField("start"),
              field("recordedDate")), field("abatementDateTime"), reference("encounter"));
      case PROCEDURE_OCCURRENCE -> coded(table, parsed(batch, "procedure"), field("code"),
          coalesce(field("performedDateTime"), field("performedPeriod").getField("start")),
          null, reference("encounter"));
      case DRUG_EXPOSURE -> drugs(table, batch);
      case MEASUREMENT, OBSERVATION -> observations(table, batch, ehr);
      case PAYER_PLAN_PERIOD -> SourceCodes.shape(table, parsed(batch, "coverage"), List.of(
          sourceId(field("id")), sourceId(reference("beneficiary")),
          field("period").getField("start"), field("period").getField("end"),
          payerCategory()));
    };
  }

  private static Dataset<Row> visits(SourceTable table, SourceBatch batch, String ehr) {
    Column classCode = upper(trim(field("class").getField("code")));
    return SourceCodes.shape(table, parsed(batch, "encounter"), List.of(
        sourceId(field("id")), sourceId(reference("subject")),
        concept(classCode, Map.of("AMB", Concepts.VISIT_OUTPATIENT, "EMER",
            Concepts.VISIT_EMERGENCY, "IMP", Concepts.VISIT_INPATIENT, "ACUTE",
            Concepts.VISIT_INPATIENT, "NONAC", Concepts.VISIT_INPATIENT)),
        field("period").getField("start"), field("period").getField("end"), lit(ehr),
        field("class").getField("code")));
  }

  /**
   * A condition or procedure: id, person, concept, start, (end), type, visit, source code and
   * vocabulary.
   */
  private static Dataset<Row> coded(SourceTable table, Dataset<Row> rows, Column codeable,
      Column start, Column end, Column visit) {
    Column coding = coding(codeable);
    List<Column> values = new ArrayList<>(List.of(sourceId(field("id")),
        sourceId(reference("subject")), conceptOf(coding), start));
    if (end != null) {
      values.add(end);
    }
    values.addAll(List.of(lit(Concepts.TYPE_EHR), sourceId(visit), coding.getField("code"),
        vocabularyOf(coding)));
    return SourceCodes.shape(table, rows, values);
  }

  /**
   * Drugs ordered (MedicationRequest) and given (MedicationAdministration), told apart by their
   * type concept; a medication named by reference takes the code of its Medication resource.
   */
  private static Dataset<Row> drugs(SourceTable table, SourceBatch batch) {
    Dataset<Row> out = null;
    for (String file : sources(table)) {
      if (!batch.has(file)) {
        continue;
      }
      boolean request = file.equals("medicationrequest");
      Dataset<Row> rows = withMedication(parsed(batch, file), batch);
      Column coding = coding(coalesce(field("medicationCodeableConcept"),
          col("_medication_code")));
      Column start = request ? field("authoredOn")
          : coalesce(field("effectiveDateTime"), field("effectivePeriod").getField("start"));
      Column end = request ? lit(null) : field("effectivePeriod").getField("end");
      Dataset<Row> drugs = SourceCodes.shape(table, rows, List.of(
          sourceId(field("id")), sourceId(reference("subject")), conceptOf(coding), start, end,
          lit(request ? Concepts.TYPE_EHR_PRESCRIPTION : Concepts.TYPE_EHR_ADMINISTRATION),
          request ? field("dispenseRequest").getField("quantity").getField("value") : lit(null),
          sourceId(reference(request ? "encounter" : "context")), coding.getField("code"),
          vocabularyOf(coding)));
      out = out == null ? drugs : out.unionByName(drugs);
    }
    return out;
  }

  /** The rows with {@code _medication_code}: the code of the Medication they refer to, if any. */
  private static Dataset<Row> withMedication(Dataset<Row> rows, SourceBatch batch) {
    if (!batch.has("medication")) {
      return rows.withColumn("_medication_code",
          lit(null).cast(StructType.fromDDL("c " + CODEABLE).fields()[0].dataType()));
    }
    Dataset<Row> medications = wellFormed(parsed(batch, "medication"))
        .select(field("id").as("_medication_id"), field("code").as("_medication_code"));
    return rows.join(medications,
        referenceId(field("medicationReference").getField("reference"))
            .equalTo(col("_medication_id")), "left");
  }

  /**
   * Observations, one row per component where it has components: numeric values (a quantity)
   * to measurement, the rest to observation; lines that are no usable Observation count as
   * measurement rows (and are quarantined there).
   */
  private static Dataset<Row> observations(SourceTable table, SourceBatch batch, String ehr) {
    Dataset<Row> rows = parsed(batch, "observation")
        .select(col("*"), posexplode_outer(field("component")).as(new String[] {"_part", "_c"}));
    Column part = col("_c");
    Column code = coding(coalesce(part.getField("code"), field("code")));
    Column quantity = coalesce(part.getField("valueQuantity"), field("valueQuantity"));
    Column id = when(col("_part").isNull(), sourceId(field("id")))
        .otherwise(hashId(field("id"), col("_part").cast("string")));
    Column date = coalesce(field("effectiveDateTime"), field("effectivePeriod").getField("start"),
        field("effectiveInstant"));
    Column numeric = present(quantity.getField("value"));
    Column usable = col(SourceFiles.ROW_MALFORMED).equalTo(false);
    if (table == SourceTable.MEASUREMENT) {
      return SourceCodes.shape(table, rows.where(numeric.or(usable.equalTo(false))), List.of(
          id, sourceId(reference("subject")), conceptOf(code), date, lit(ehr),
          quantity.getField("value"), mappedConcept("UCUM", quantity.getField("code")),
          quantity.getField("unit"), sourceId(reference("encounter")), code.getField("code")));
    }
    Column codeable = coalesce(part.getField("valueCodeableConcept"),
        field("valueCodeableConcept"));
    Column text = coalesce(codeable.getField("text"), coding(codeable).getField("display"),
        part.getField("valueString"), field("valueString"), part.getField("valueBoolean"),
        field("valueBoolean"), part.getField("valueInteger"), field("valueInteger"));
    return SourceCodes.shape(table, rows.where(usable.and(coalesce(numeric, lit(false))
        .equalTo(false))), List.of(id, sourceId(reference("subject")), conceptOf(code), date,
        lit(ehr), text, sourceId(reference("encounter")), code.getField("code")));
  }

  /**
   * The file's resources: every element the mapping reads under {@code _resource}, the lineage,
   * and {@link Conform#SOURCE_REASON} for a line that is not JSON (also flagged malformed) or a
   * resource of another type. Blank lines are no resources and are left out.
   */
  private static Dataset<Row> parsed(SourceBatch batch, String fileTable) {
    Resource resource = RESOURCES.get(fileTable);
    StructType schema = StructType.fromDDL("resourceType STRING, id STRING, " + resource.schema()
        + ", " + CORRUPT + " STRING");
    Dataset<Row> lines = batch.rows(fileTable).where(present(col(SourceFiles.LINE)));
    Column json = from_json(col(SourceFiles.LINE), schema,
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT));
    Column notJson = col(PARSED).isNull().or(col(PARSED).getField(CORRUPT).isNotNull());
    Column reason = when(notJson, lit(Conform.MALFORMED_ROW))
        .when(coalesce(field("resourceType"), lit("")).notEqual(resource.type()),
            lit(Conform.WRONG_RESOURCE_TYPE));
    return lines.withColumn(PARSED, json)
        .withColumn(Conform.SOURCE_REASON, reason)
        .withColumn(SourceFiles.ROW_MALFORMED, col(Conform.SOURCE_REASON).isNotNull());
  }

  private static Dataset<Row> wellFormed(Dataset<Row> rows) {
    return rows.where(col(Conform.SOURCE_REASON).isNull());
  }

  private static Column field(String name) {
    return col(PARSED).getField(name);
  }

  /** The id a reference element points at (Patient/ID, a full URL, urn:uuid:ID). */
  private static Column reference(String element) {
    return referenceId(field(element).getField("reference"));
  }

  private static Column referenceId(Column reference) {
    Column unversioned = regexp_replace(trim(reference), "/_history/.*$", "");
    return when(present(reference),
        regexp_extract(unversioned, "^(?:urn:uuid:|.*/)?([^/]+)$", 1));
  }

  /** The coding of a CodeableConcept in a system the concept table knows, else the first. */
  private static Column coding(Column codeable) {
    Column codings = codeable.getField("coding");
    Object[] known = SYSTEMS.keySet().toArray();
    return coalesce(try_element_at(filter(codings, c -> c.getField("system").isin(known)),
        lit(1)), try_element_at(codings, lit(1)));
  }

  /** The vocabulary name of a coding's system (SNOMED, LOINC, ...), or the system URI. */
  private static Column vocabularyOf(Column coding) {
    Column system = trim(coding.getField("system"));
    Column name = null;
    for (Map.Entry<String, String> entry : SYSTEMS.entrySet()) {
      Column match = system.equalTo(entry.getKey());
      name = name == null ? when(match, lit(entry.getValue()))
          : name.when(match, lit(entry.getValue()));
    }
    return name.otherwise(system);
  }

  private static Column conceptOf(Column coding) {
    return SourceCodes.mappedConcept(vocabularyOf(coding), coding.getField("code"));
  }

  /** An extension's OMB category code (race, ethnicity). */
  private static Column ombCode(String url) {
    return omb(url).getField("code");
  }

  private static Column ombDisplay(String url) {
    return omb(url).getField("display");
  }

  private static Column omb(String url) {
    Column extension = try_element_at(filter(field("extension"),
        e -> e.getField("url").equalTo(url)), lit(1));
    return try_element_at(filter(extension.getField("extension"),
        e -> e.getField("url").equalTo("ombCategory")), lit(1)).getField("valueCoding");
  }

  /**
   * The payer category Fairgrove slices by: no insurance or self pay as Uninsured, otherwise the
   * payer's name (Medicare, Medicaid, or a plan's name).
   */
  private static Column payerCategory() {
    Column name = trim(coalesce(try_element_at(field("payor"), lit(1)).getField("display"),
        field("type").getField("text")));
    return when(upper(name).isin("NO_INSURANCE", "NO INSURANCE", "SELF-PAY", "SELF PAY",
        "UNINSURED"), lit("Uninsured")).otherwise(name);
  }
}
