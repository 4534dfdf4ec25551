package org.fairgrove.pipeline.omop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The shipped table of source codes (SNOMED, LOINC, RxNorm, ICD10CM, UCUM) mapped to OMOP
 * standard concepts, with each code's name, and the FHIR code system URI of each vocabulary:
 * what ingest maps codes with and what exports code with.
 */
public final class SourceConcepts {
  private static final String TABLE = "fairgrove/vocab/source-concepts.csv";

  /** FHIR code system URIs by the table's vocabulary names. */
  public static final Map<String, String> FHIR_SYSTEMS = Map.of(
      "SNOMED", "http://snomed.info/sct", "LOINC", "http://loinc.org",
      "RxNorm", "http://www.nlm.nih.gov/research/umls/rxnorm",
      "ICD10CM", "http://hl7.org/fhir/sid/icd-10-cm", "UCUM", "http://unitsofmeasure.org");

  /** US Core's race and ethnicity extensions, whose ombCategory codes these are. */
  public static final String US_CORE_RACE =
      "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
  public static final String US_CORE_ETHNICITY =
      "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
  /** The OMB race categories (CDC race and ethnicity code system) by their concepts. */
  public static final Map<String, Integer> OMB_RACE = Map.of("2106-3", Concepts.RACE_WHITE,
      "2054-5", Concepts.RACE_BLACK, "2028-9", Concepts.RACE_ASIAN, "1002-5", Concepts.RACE_AIAN,
      "2076-8", Concepts.RACE_NHPI);
  public static final Map<String, Integer> OMB_ETHNICITY = Map.of("2135-2", Concepts.HISPANIC,
      "2186-5", Concepts.NOT_HISPANIC);
  /** The display of each OMB category code. */
  public static final Map<String, String> OMB_DISPLAY = Map.of("2106-3", "White",
      "2054-5", "Black or African American", "2028-9", "Asian",
      "1002-5", "American Indian or Alaska Native",
      "2076-8", "Native Hawaiian or Other Pacific Islander", "2135-2", "Hispanic or Latino",
      "2186-5", "Not Hispanic or Latino");
  /** The CDC race and ethnicity code system the OMB categories are in. */
  public static final String CDC_RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238";

  /** One row of the table. */
  public record Entry(String vocabulary, String code, int conceptId, String name) {}

  private SourceConcepts() {}

  /** Every row, by vocabulary and then code, in table order. */
  public static Map<String, Map<String, Entry>> byVocabulary() {
    return Holder.BY_VOCABULARY;
  }

  /** The row of a code in a vocabulary (SNOMED, ICD10CM, ...), if the table has it. */
  public static Optional<Entry> entry(String vocabulary, String code) {
    return Optional.ofNullable(Holder.BY_VOCABULARY.getOrDefault(vocabulary, Map.of()).get(code));
  }

  /** A CSV field as written: quoted when it holds a comma, a quote doubled inside. */
  private static String unquoted(String field) {
    return field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")
        ? field.substring(1, field.length() - 1).replace("\"\"", "\"") : field;
  }

  private static final class Holder {
    static final Map<String, Map<String, Entry>> BY_VOCABULARY = load();

    private static Map<String, Map<String, Entry>> load() {
      try (InputStream in = SourceConcepts.class.getClassLoader().getResourceAsStream(TABLE)) {
        if (in == null) {
          throw new IllegalStateException(TABLE + " is not on the classpath");
        }
        Map<String, Map<String, Entry>> byVocabulary = new LinkedHashMap<>();
        new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .forEach(line -> {
              String[] fields = line.split(",", 4);
              byVocabulary.computeIfAbsent(fields[0], v -> new LinkedHashMap<>()).put(fields[1],
                  new Entry(fields[0], fields[1], Integer.parseInt(fields[2]),
                      unquoted(fields[3])));
            });
        return byVocabulary;
      } catch (IOException e) {
        throw new UncheckedIOException("Reading " + TABLE + " failed", e);
      }
    }
  }
}
