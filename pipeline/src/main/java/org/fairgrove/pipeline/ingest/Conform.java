package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;
import static org.fairgrove.pipeline.ingest.SourceCodes.present;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StructField;

/**
 * Conforms one table's source rows of a batch to its contract and decides what can be known of
 * each row on its own and against the persons of the site: typed values, and the first failing
 * check as a reason code with the offending column names. Then the guard: only its output is
 * ever written (bronze), so no raw value reaches the disk.
 */
final class Conform {
  static final String MALFORMED_ROW = "malformed_row";
  static final String UNPARSEABLE_DATE = "unparseable_date";
  static final String UNPARSEABLE_NUMBER = "unparseable_number";
  static final String MISSING_REQUIRED = "missing_required";
  static final String END_BEFORE_START = "end_before_start";
  static final String EVENT_BEFORE_BIRTH = "event_before_birth";
  static final String EVENT_AFTER_DEATH = "event_after_death";
  static final String DUPLICATE_KEY_CONFLICT = "duplicate_key_conflict";
  static final String UNKNOWN_TABLE = "unknown_table";
  /** A FHIR resource in the file of another type (e.g. a Condition in Patient.ndjson). */
  static final String WRONG_RESOURCE_TYPE = "wrong_resource_type";
  /** The row's person is neither in the batch nor in silver (formats that refuse those). */
  static final String UNKNOWN_PERSON = "unknown_person";

  /**
   * An optional column of a format's rows: a reason code for a fault the format found in the
   * source row itself (a line that is not JSON, a resource of the wrong type); null when none.
   */
  static final String SOURCE_REASON = "source_reason";

  /** Bronze columns: the verdict of a row and what the guard did to it. */
  static final String REASON = "reason_code";
  static final String OFFENDING = "offending_columns";
  static final String PERSON_KNOWN = "person_known";
  static final String WITHIN_OBSERVATION = "within_observation";
  static final String IDENTIFIERS_REDACTED = "identifiers_redacted";
  static final String VALUES_WITHHELD = "values_withheld";
  /** Person rows only, in memory only: the source date of birth, for the checks of events. */
  static final String BIRTH_DATE = "_birth_date";

  private static final String PERSON_ID = "person_id";
  /** First projection of {@link #parse} only: whether the source sent the column a value. */
  private static final String SENT_PREFIX = "_sent_";

  private Conform() {}

  /**
   * Typed contract values (person_id pseudonymised, dates as in the source) with the lineage and
   * the verdict of the checks a row answers alone: malformed, unparseable, missing, end before
   * start. Person rows also carry {@link #BIRTH_DATE}.
   *
   * <p>Two projections: the first parses each value once and notes whether it was sent; the
   * verdict is then taken from those columns. Taken from the raw values in one projection, each
   * parse (a regular expression and a cast) ran again in every check that names the column.
   *
   * @param source the table's rows from its format ({@link SourceFormat#rows})
   * @param sourceColumns the OMOP columns the source rows have
   */
  static Dataset<Row> parse(SourceTable table, Dataset<Row> source, List<String> sourceColumns,
      String siteId, DeidGuard guard) {
    List<Column> typed = new ArrayList<>();
    List<Column> out = new ArrayList<>();
    List<Fault> unparseableDates = new ArrayList<>();
    List<Fault> unparseableNumbers = new ArrayList<>();
    List<Fault> missing = new ArrayList<>();
    for (StructField field : valueFields(table)) {
      String name = field.name();
      if (name.equals("zip3")) {
        // Derived by the guard from a full ZIP when only that was sent; the ZIP is never kept.
        typed.add(guard.zip3(sourceColumns.contains("zip3") ? col("zip3")
            : sourceColumns.contains("zip") ? col("zip") : lit(null).cast(DataTypes.StringType))
            .as(name));
      } else if (!sourceColumns.contains(name)) {
        typed.add(lit(null).cast(field.dataType()).as(name));
        if (!field.nullable()) {
          missing.add(new Fault(lit(true), name));
        }
      } else {
        String sent = SENT_PREFIX + name;
        typed.add(parse(source, name, field.dataType()).as(name));
        typed.add(present(col(name)).as(sent));
        Fault unparseable = new Fault(col(sent).and(col(name).isNull()), name);
        if (field.dataType().equals(DataTypes.DateType)) {
          unparseableDates.add(unparseable);
        } else if (!field.dataType().equals(DataTypes.StringType)) {
          unparseableNumbers.add(unparseable);
        }
        if (!field.nullable()) {
          missing.add(new Fault(not(col(sent)), name));
        }
      }
      out.add(name.equals(PERSON_ID) ? guard.pseudonym(lit(siteId), col(name)).as(name)
          : col(name));
    }
    SourceFiles.LINEAGE.forEach(c -> typed.add(col(c)));
    SourceFiles.LINEAGE.stream().filter(c -> !c.equals(SourceFiles.ROW_MALFORMED))
        .forEach(c -> out.add(col(c)));
    Column endBeforeStart = table.endDate == null ? lit(false)
        : coalesce(col(table.endDate).lt(col(table.eventDate)), lit(false));
    Verdict verdict = new Verdict();
    if (List.of(source.columns()).contains(SOURCE_REASON)) {
      typed.add(col(SOURCE_REASON));
      verdict.check(col(SOURCE_REASON), noNames());
    }
    verdict.check(MALFORMED_ROW, col(SourceFiles.ROW_MALFORMED), noNames())
        .check(UNPARSEABLE_DATE, unparseableDates)
        .check(UNPARSEABLE_NUMBER, unparseableNumbers)
        .check(MISSING_REQUIRED, missing)
        .check(END_BEFORE_START, endBeforeStart, nameArray(table.endDate));
    out.add(verdict.reason().as(REASON));
    out.add(verdict.offending().as(OFFENDING));
    if (table == SourceTable.PERSON) {
      typed.add(birthDate(sourceColumns).as(BIRTH_DATE));
      out.add(col(BIRTH_DATE));
    }
    return source.select(typed.toArray(Column[]::new)).select(out.toArray(Column[]::new));
  }

  /**
   * The bronze rows: the checks against the persons of the site added to the verdict, then the
   * guard (year of birth folded, dates shifted, free text allowed by code and redacted).
   *
   * @param parsed rows from {@link #parse}
   * @param persons the site's persons ({@link PersonContext}); null for the person table
   * @param refuseUnknownPersons quarantine rows whose person is unknown (else a data quality
   *     warning counts them)
   */
  static Dataset<Row> land(SourceTable table, Dataset<Row> parsed, PersonContext persons,
      boolean refuseUnknownPersons, DeidGuard guard, String siteId, String batchId) {
    Dataset<Row> rows = parsed;
    Verdict verdict = new Verdict().carry(col(REASON), col(OFFENDING));
    Column known = lit(null).cast(DataTypes.BooleanType);
    Column within = lit(null).cast(DataTypes.BooleanType);
    if (table != SourceTable.PERSON) {
      rows = persons.join(rows);
      Column date = col(table.eventDate);
      if (refuseUnknownPersons) {
        verdict.check(UNKNOWN_PERSON, not(coalesce(col(PersonContext.KNOWN), lit(false))),
            nameArray(PERSON_ID));
      }
      verdict.check(EVENT_BEFORE_BIRTH, coalesce(date.lt(col(PersonContext.BIRTH)), lit(false)),
          nameArray(table.eventDate));
      if (table.isEvent()) {
        verdict.check(EVENT_AFTER_DEATH, coalesce(date.gt(date_add(col(PersonContext.DEATH),
            persons.maxDaysAfterDeath())), lit(false)), nameArray(table.eventDate));
      }
      known = coalesce(col(PersonContext.KNOWN), lit(false));
      if (table.isEvent() && table != SourceTable.OBSERVATION_PERIOD) {
        within = coalesce(exists(col(PersonContext.PERIODS),
            p -> date.between(p.getField("start"), p.getField("end"))), lit(false));
      }
    }
    List<Column> out = new ArrayList<>();
    Column redacted = lit(0);
    Column withheld = lit(0);
    for (StructField field : valueFields(table)) {
      Column value = col(field.name());
      if (field.name().equals("year_of_birth")) {
        value = guard.foldYearOfBirth(value);
      } else if (DeidGuard.isFreeText(field)) {
        Column allowed = guard.freeTextAllowed(table, field.name());
        withheld = withheld.plus(when(value.isNotNull().and(not(allowed)), 1).otherwise(0));
        value = when(allowed, value);
        redacted = redacted.plus(guard.identifierHits(value));
        value = guard.redact(value);
      } else if (field.dataType().equals(DataTypes.DateType)) {
        value = date_add(value, guard.shiftDays(col(PERSON_ID)));
      }
      out.add(value.as(field.name()));
    }
    out.add(lit(batchId).as("source_batch_id"));
    out.add(lit(siteId).as("site_id"));
    out.add(col(SourceFiles.SOURCE_FILE));
    out.add(col(SourceFiles.ROW_POSITION));
    out.add(col(SourceFiles.ROW_HASH));
    out.add(verdict.reason().as(REASON));
    out.add(verdict.offending().as(OFFENDING));
    out.add(known.as(PERSON_KNOWN));
    out.add(within.as(WITHIN_OBSERVATION));
    out.add(redacted.as(IDENTIFIERS_REDACTED));
    out.add(withheld.as(VALUES_WITHHELD));
    out.add(current_timestamp().as("ingested_at"));
    return rows.select(out.toArray(Column[]::new));
  }

  /** Silver's value columns (without its lineage), with silver's nullability. */
  static List<StructField> valueFields(SourceTable table) {
    List<StructField> values = new ArrayList<>();
    for (StructField field : table.silverSchema().fields()) {
      if (!SourceTable.LINEAGE.contains(field.name())) {
        values.add(field);
      }
    }
    return values;
  }

  /**
   * The source column's strict parse: from the value as its file typed it where the format gives
   * one ({@link SourceFiles#TYPED_PREFIX}), else from its text.
   */
  static Column parse(Dataset<Row> source, String name, DataType type) {
    String typedName = SourceFiles.TYPED_PREFIX + name;
    Column text = col(name);
    if (!List.of(source.columns()).contains(typedName)) {
      return parse(text, type);
    }
    DataType from = source.schema().apply(typedName).dataType();
    return fromTyped(col(typedName), from, type).orElseGet(() -> parse(text, type));
  }

  /**
   * The typed value as the contract type: exactly what parsing its text gives, null included (a
   * date outside years 1-9999, NaN, infinity, an integer too large for the type); empty when the
   * types have no such short cut. Without one, every value of a Parquet file is written as text
   * and parsed back. The text's parse bounds its values with it.
   */
  static Optional<Column> fromTyped(Column value, DataType from, DataType to) {
    boolean integral = from instanceof IntegralType;
    boolean dated = from.equals(DataTypes.DateType) || from.equals(DataTypes.TimestampType)
        || from.equals(DataTypes.TimestampNTZType);
    Column typed = null;
    if (integral && (to.equals(DataTypes.IntegerType) || to.equals(DataTypes.LongType))) {
      typed = value.try_cast(to);
    } else if (integral && to.equals(DataTypes.DoubleType)) {
      typed = value.cast(to);
    } else if (from.equals(DataTypes.DoubleType) && to.equals(DataTypes.DoubleType)) {
      typed = when(not(isnan(value)).and(abs(value).lt(Double.POSITIVE_INFINITY)), value);
    } else if (dated && to.equals(DataTypes.DateType)) {
      Column date = value.cast(DataTypes.DateType);
      typed = when(year(date).between(1, 9999), date);
    }
    return Optional.ofNullable(typed);
  }

  /**
   * A strict parse: a value that is present but not exactly of the type becomes null. Most
   * values are sent as the type writes them ("12", "2020-01-31", "98.6"); a cast that writes
   * back the very text decides those, and only the rest go through the type's pattern.
   */
  static Column parse(Column raw, DataType type) {
    if (type.equals(DataTypes.StringType)) {
      return when(present(raw), raw);
    }
    Column text = trim(raw);
    Column cast = bounded(text.try_cast(type), type);
    return coalesce(when(cast.cast(DataTypes.StringType).equalTo(text), cast),
        byPattern(text, type));
  }

  /**
   * The value where the contract type holds it, else null: a number that is finite, a date in
   * years 1-9999. "1e400" reads as infinity, which no measurement is.
   */
  private static Column bounded(Column value, DataType type) {
    return fromTyped(value, type, type).orElseThrow(
        () -> new IllegalStateException("No parser for contract type " + type));
  }

  /** The parse by the type's pattern, which defines what a value of the type may look like. */
  static Column byPattern(Column text, DataType type) {
    if (type.equals(DataTypes.DateType)) {
      // ISO dates, optionally with a time of day and zone (Parquet timestamps, Synthea's
      // 2017-05-01T09:31:55Z): the date as written. "2020" alone is no date.
      return when(text.rlike("^\\d{4}-\\d{2}-\\d{2}([ T][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$"),
          bounded(substring(text, 1, 10).try_cast(DataTypes.DateType), type));
    }
    if (type.equals(DataTypes.IntegerType) || type.equals(DataTypes.LongType)) {
      // "8507.0" (a spreadsheet's integer) is the integer; "12.5" is not.
      return when(text.rlike("^[+-]?\\d+(\\.0+)?$"),
          regexp_replace(text, "\\.0+$", "").try_cast(type));
    }
    if (type.equals(DataTypes.DoubleType)) {
      return when(text.rlike("^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$"),
          bounded(text.try_cast(type), type));
    }
    throw new IllegalStateException("No parser for contract type " + type);
  }

  private static Column noNames() {
    return array().cast("array<string>");
  }

  static Column nameArray(String name) {
    return name == null ? noNames() : array(lit(name));
  }

  /** Year, month and day of birth as a date; January 1 of the year where month or day fail. */
  private static Column birthDate(List<String> sourceColumns) {
    Column year = parse(col("year_of_birth"), DataTypes.IntegerType);
    Column month = sourceColumns.contains("month_of_birth")
        ? coalesce(parse(col("month_of_birth"), DataTypes.IntegerType), lit(1)) : lit(1);
    Column day = sourceColumns.contains("day_of_birth")
        ? coalesce(parse(col("day_of_birth"), DataTypes.IntegerType), lit(1)) : lit(1);
    return coalesce(try_to_date(format_string("%04d-%02d-%02d", year, month, day)),
        try_to_date(format_string("%04d-01-01", year)));
  }

  /** A column's fault in a row: where {@code found} is true, the check names {@code column}. */
  private record Fault(Column found, String column) {}

  /** Checks in order of precedence: the first that fails gives the reason and the columns. */
  private static final class Verdict {
    private Column reason;
    private Column offending;

    /** Starts from an earlier verdict: it keeps precedence over the checks added here. */
    Verdict carry(Column earlierReason, Column earlierOffending) {
      reason = when(earlierReason.isNotNull(), earlierReason);
      offending = when(earlierReason.isNotNull(), earlierOffending);
      return this;
    }

    /**
     * A check that fails when any of the faults does, naming the columns of those that do; none
     * never fails.
     */
    Verdict check(String code, List<Fault> faults) {
      if (faults.isEmpty()) {
        return this;
      }
      Column failed = lit(false);
      List<Column> names = new ArrayList<>();
      for (Fault fault : faults) {
        Column found = coalesce(fault.found(), lit(false));
        failed = failed.or(found);
        names.add(when(found, array(lit(fault.column()))).otherwise(noNames()));
      }
      return check(code, failed, concat(names.toArray(Column[]::new)));
    }

    Verdict check(String code, Column failed, Column columnNames) {
      return check(when(coalesce(failed, lit(false)), lit(code)), columnNames);
    }

    /** A check whose reason code is a column: it fails where the code is not null. */
    Verdict check(Column code, Column columnNames) {
      Column fails = code.isNotNull();
      reason = reason == null ? when(fails, code) : reason.when(fails, code);
      offending = offending == null ? when(fails, columnNames)
          : offending.when(fails, columnNames);
      return this;
    }

    Column reason() {
      return reason;
    }

    Column offending() {
      return coalesce(offending, noNames());
    }
  }
}
