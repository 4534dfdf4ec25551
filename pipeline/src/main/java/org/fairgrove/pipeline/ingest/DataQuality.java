package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.omop.Concepts;

/**
 * Data quality checks in the style of the OHDSI Data Quality Dashboard: conformance,
 * completeness and plausibility, each with the rows it looked at, the rows that failed and the
 * share it tolerates. A failed fatal check stops the batch before silver changes.
 */
final class DataQuality {
  static final String CONFORMANCE = "conformance";
  static final String COMPLETENESS = "completeness";
  static final String PLAUSIBILITY = "plausibility";
  static final String FATAL = "fatal";
  static final String WARNING = "warning";

  /** One check's outcome on one table of a batch. */
  record Result(String table, String check, String category, String severity,
      String description, long rowsChecked, long rowsFailed, double threshold) {
    double failedShare() {
      return rowsChecked == 0 ? 0.0 : (double) rowsFailed / rowsChecked;
    }

    boolean passed() {
      return failedShare() <= threshold;
    }
  }

  /** Plausible value ranges of measurements, by concept (units as the synthetic source uses). */
  record Range(String label, double low, double high) {}

  static final Map<Integer, Range> MEASUREMENT_RANGES = ranges();

  /** Gender concepts OMOP allows: male, female, unknown, other, and 0 (unmapped). */
  static final List<Integer> GENDER_CONCEPTS =
      List.of(Concepts.MALE, Concepts.FEMALE, 8551, 8521, Concepts.NO_MATCH);

  private static Map<Integer, Range> ranges() {
    Map<Integer, Range> ranges = new LinkedHashMap<>();
    ranges.put(Concepts.HBA1C, new Range("HbA1c %", 3, 20));
    ranges.put(Concepts.BMI, new Range("BMI kg/m2", 10, 100));
    ranges.put(Concepts.SYSTOLIC_BP, new Range("systolic BP mmHg", 50, 300));
    ranges.put(Concepts.EGFR, new Range("eGFR mL/min/1.73m2", 0, 200));
    return ranges;
  }

  private final FairgroveConfig config;

  DataQuality(FairgroveConfig config) {
    this.config = config;
  }

  /**
   * The checks of one table, answered together by one aggregation over its classified rows
   * ({@link Duplicates#classify}), which carry the checks against persons (bronze's
   * person_known and within_observation).
   */
  List<Check> checks(SourceTable table) {
    double warn = config.ingest.dqWarningShare();
    Column accepted = Duplicates.accepted();
    List<Check> checks = new ArrayList<>();
    checks.add(new Check("quarantine_share", CONFORMANCE, FATAL,
        "rows that could not be conformed (see ops.quarantine)", lit(true),
        col(Conform.REASON).isNotNull(), config.ingest.maxQuarantineShare()));
    checks.add(new Check("required_fields", COMPLETENESS, WARNING,
        "rows missing a required field", lit(true),
        col(Conform.REASON).equalTo(Conform.MISSING_REQUIRED), warn));
    if (table.conceptColumn != null) {
      checks.add(new Check("standard_concept_mapped", COMPLETENESS, WARNING,
          table.conceptColumn + " is 0 (no standard concept)", accepted,
          col(table.conceptColumn).equalTo(Concepts.NO_MATCH), warn));
    }
    if (table.endDate != null) {
      checks.add(new Check("start_before_end", PLAUSIBILITY, FATAL,
          table.eventDate + " <= " + table.endDate, accepted,
          col(table.endDate).lt(col(table.eventDate)), 0.0));
    }
    if (table == SourceTable.PERSON) {
      checks.add(new Check("gender_concept_valid", CONFORMANCE, WARNING,
          "gender_concept_id is a gender concept", accepted,
          col("gender_concept_id").isin(GENDER_CONCEPTS.toArray()).equalTo(false), 0.0));
      checks.add(new Check("year_of_birth_plausible", PLAUSIBILITY, WARNING,
          "year_of_birth not after " + config.deid.ageReferenceDate().getYear(), accepted,
          col("year_of_birth").gt(config.deid.ageReferenceDate().getYear()), 0.0));
    } else {
      checks.add(new Check("person_known", CONFORMANCE, WARNING,
          "person_id has a person row at the site", accepted,
          col(Conform.PERSON_KNOWN).equalTo(false), warn));
    }
    if (table.isEvent() && table != SourceTable.OBSERVATION_PERIOD) {
      checks.add(new Check("within_observation", PLAUSIBILITY, WARNING,
          table.eventDate + " within an observation period", accepted,
          col(Conform.WITHIN_OBSERVATION).equalTo(false), warn));
    }
    if (table == SourceTable.MEASUREMENT) {
      MEASUREMENT_RANGES.forEach((concept, range) -> checks.add(new Check(
          "plausible_value_" + concept, PLAUSIBILITY, WARNING,
          range.label() + " within " + range.low() + ".." + range.high(),
          accepted.and(col("measurement_concept_id").equalTo(concept))
              .and(col("value_as_number").isNotNull()),
          col("value_as_number").between(range.low(), range.high()).equalTo(false), warn)));
    }
    return checks;
  }

  /** Two aggregate columns per check: rows checked, rows failed. */
  static List<Column> aggregates(List<Check> checks) {
    List<Column> aggregates = new ArrayList<>();
    for (Check check : checks) {
      aggregates.add(count_if(check.population()));
      aggregates.add(count_if(check.population().and(check.failing())));
    }
    return aggregates;
  }

  /** The results from the aggregated row, whose columns from {@code offset} on are the checks'. */
  static List<Result> results(SourceTable table, List<Check> checks, Row aggregated,
      int offset) {
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      Check check = checks.get(i);
      results.add(new Result(table.table(), check.name(), check.category(), check.severity(),
          check.description(), aggregated.getLong(offset + 2 * i),
          aggregated.getLong(offset + 2 * i + 1), check.threshold()));
    }
    return results;
  }

  /** A check over the rows in {@code population}; {@code failing} marks the failures. */
  record Check(String name, String category, String severity, String description,
      Column population, Column failing, double threshold) {}
}
