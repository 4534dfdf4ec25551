package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
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
   * Checks answered by the classified rows of one table in one pass.
   *
   * @param classified rows from {@link Conform#classify}
   */
  List<Result> tableChecks(SourceTable table, Dataset<Row> classified) {
    double warn = config.ingest.dqWarningShare();
    Column accepted = col(Conform.REASON).isNull().and(col(Conform.DUPLICATE).equalTo(false));
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
    }
    if (table == SourceTable.MEASUREMENT) {
      MEASUREMENT_RANGES.forEach((concept, range) -> checks.add(new Check(
          "plausible_value_" + concept, PLAUSIBILITY, WARNING,
          range.label() + " within " + range.low() + ".." + range.high(),
          accepted.and(col("measurement_concept_id").equalTo(concept))
              .and(col("value_as_number").isNotNull()),
          col("value_as_number").between(range.low(), range.high()).equalTo(false), warn)));
    }
    List<Column> aggregates = new ArrayList<>();
    for (Check check : checks) {
      aggregates.add(count_if(check.population()));
      aggregates.add(count_if(check.population().and(check.failing())));
    }
    Row counts = classified.agg(aggregates.get(0),
        aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      Check check = checks.get(i);
      results.add(new Result(table.table(), check.name(), check.category(), check.severity(),
          check.description(), counts.getLong(2 * i), counts.getLong(2 * i + 1),
          check.threshold()));
    }
    return results;
  }

  /**
   * Checks against other tables: events of persons the site never sent, and events outside
   * every observation period of the person.
   *
   * @param persons person_id of every person of the site (this batch and silver)
   * @param periods person_id, start and end of every observation period of the site
   */
  List<Result> crossTableChecks(SourceTable table, Dataset<Row> accepted, Dataset<Row> persons,
      Dataset<Row> periods) {
    double warn = config.ingest.dqWarningShare();
    List<Result> results = new ArrayList<>();
    if (table == SourceTable.PERSON) {
      return results;
    }
    long rows = accepted.count();
    long unknown = accepted.join(persons, accepted.col("person_id")
        .equalTo(persons.col("person_id")), "left_anti").count();
    results.add(new Result(table.table(), "person_known", CONFORMANCE, WARNING,
        "person_id has a person row at the site", rows, unknown, warn));
    if (table.isEvent() && table != SourceTable.OBSERVATION_PERIOD) {
      Column inside = accepted.col("person_id").equalTo(periods.col("op_person_id"))
          .and(accepted.col(table.eventDate).between(periods.col("op_start"),
              periods.col("op_end")));
      long outside = accepted.join(periods, inside, "left_anti").count();
      results.add(new Result(table.table(), "within_observation", PLAUSIBILITY, WARNING,
          table.eventDate + " within an observation period", rows, outside, warn));
    }
    return results;
  }

  /** A check over the rows in {@code population}; {@code failing} marks the failures. */
  private record Check(String name, String category, String severity, String description,
      Column population, Column failing, double threshold) {}
}
