package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_date;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Conforms one table's landed rows of a batch to its silver contract and decides each row's fate:
 * accepted, quarantined with a reason code and the offending column names, or an exact duplicate
 * of an accepted row. Accepted rows have passed the de-identification guard.
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

  /** Classified rows carry these next to the silver columns. */
  static final String ROW_POSITION = "_row_position";
  static final String REASON = "_reason";
  static final String OFFENDING = "_offending";
  static final String DUPLICATE = "_duplicate";
  static final String IDENTIFIER_HITS = "_identifier_hits";
  /** Person rows only: the source date of birth (not shifted, not coarsened), for checks. */
  static final String BIRTH_DATE = "_birth_date";

  private static final String UNPARSEABLE_DATES = "_unparseable_dates";
  private static final String UNPARSEABLE_NUMBERS = "_unparseable_numbers";
  private static final String MISSING = "_missing";
  private static final String MALFORMED = "_malformed";
  private static final String PERSON_ID = "person_id";
  private static final String DEATH_DATE = "death_date";

  /**
   * What events are checked against: births (person_id, _birth_date) and deaths (person_id,
   * death_date), both as source dates, keyed by pseudonym.
   */
  record References(Dataset<Row> births, Dataset<Row> deaths, int maxDaysAfterDeath) {}

  private Conform() {}

  /**
   * @param landed the table's bronze rows of this batch
   * @param sourceColumns the columns the batch's files have for this table
   */
  static Dataset<Row> classify(SourceTable table, Dataset<Row> landed, List<String> sourceColumns,
      String siteId, String batchId, DeidGuard guard, References references) {
    Dataset<Row> parsed = parse(table, landed, sourceColumns, siteId, batchId, guard);
    Dataset<Row> checked = check(table, parsed, references);
    Dataset<Row> guarded = applyGuard(table, checked, guard);
    return deduplicate(table, guarded);
  }

  /** Typed silver columns, with the columns that could not be parsed or are missing. */
  private static Dataset<Row> parse(SourceTable table, Dataset<Row> landed,
      List<String> sourceColumns, String siteId, String batchId, DeidGuard guard) {
    List<Column> out = new ArrayList<>();
    List<Column> unparseableDates = new ArrayList<>();
    List<Column> unparseableNumbers = new ArrayList<>();
    List<Column> missing = new ArrayList<>();
    for (StructField field : table.silverSchema().fields()) {
      String name = field.name();
      DataType type = field.dataType();
      Column value;
      switch (name) {
        case "site_id" -> value = lit(siteId);
        case "source_batch_id" -> value = lit(batchId);
        case "source_file" -> value = col(SourceBatch.SOURCE_FILE);
        // Derived by the guard from a full ZIP when only that was sent; the ZIP itself is dropped.
        case "zip3" -> value = guard.zip3(sourceColumns.contains("zip3") ? col("zip3")
            : sourceColumns.contains("zip") ? col("zip") : lit(null).cast(DataTypes.StringType));
        default -> {
          if (!sourceColumns.contains(name)) {
            value = lit(null).cast(type);
            break;
          }
          Column raw = col(name);
          Column parsedValue = parse(raw, type);
          Column unparseable = when(present(raw).and(parsedValue.isNull()), lit(name));
          if (type.equals(DataTypes.DateType)) {
            unparseableDates.add(unparseable);
          } else if (!type.equals(DataTypes.StringType)) {
            unparseableNumbers.add(unparseable);
          }
          if (!field.nullable()) {
            missing.add(when(not(present(raw)), lit(name)));
          }
          value = name.equals(PERSON_ID) ? guard.pseudonym(lit(siteId), parsedValue)
              : parsedValue;
        }
      }
      out.add(value.as(name));
    }
    out.add(col(SourceBatch.ROW_POSITION).as(ROW_POSITION));
    out.add(col(SourceBatch.ROW_MALFORMED).as(MALFORMED));
    out.add(names(unparseableDates).as(UNPARSEABLE_DATES));
    out.add(names(unparseableNumbers).as(UNPARSEABLE_NUMBERS));
    out.add(names(missing).as(MISSING));
    if (table == SourceTable.PERSON) {
      out.add(birthDate(sourceColumns).as(BIRTH_DATE));
    }
    return landed.select(out.toArray(Column[]::new));
  }

  /** A strict parse: a value that is present but not exactly of the type becomes null. */
  static Column parse(Column raw, DataType type) {
    Column text = trim(raw);
    if (type.equals(DataTypes.StringType)) {
      return when(present(raw), raw);
    }
    if (type.equals(DataTypes.DateType)) {
      // ISO dates, optionally with a time of day and zone (Parquet timestamps, Synthea's
      // 2017-05-01T09:31:55Z): the date as written. "2020" alone is no date.
      return when(text.rlike("^\\d{4}-\\d{2}-\\d{2}([ T][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$"),
          substring(text, 1, 10).try_cast(DataTypes.DateType));
    }
    if (type.equals(DataTypes.IntegerType) || type.equals(DataTypes.LongType)) {
      // "8507.0" (a spreadsheet's integer) is the integer; "12.5" is not.
      return when(text.rlike("^[+-]?\\d+(\\.0+)?$"),
          regexp_replace(text, "\\.0+$", "").try_cast(type));
    }
    if (type.equals(DataTypes.DoubleType)) {
      return when(text.rlike("^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$"),
          text.try_cast(type));
    }
    throw new IllegalStateException("No parser for contract type " + type);
  }

  private static Column present(Column raw) {
    return raw.isNotNull().and(trim(raw).notEqual(""));
  }

  /** The non-null names among the candidates, as an array of strings. */
  private static Column names(List<Column> candidates) {
    return candidates.isEmpty() ? array().cast("array<string>")
        : array_compact(array(candidates.toArray(Column[]::new)));
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

  /** The first failing check, in order of precedence, gives the reason code. */
  private static Dataset<Row> check(SourceTable table, Dataset<Row> parsed,
      References references) {
    Dataset<Row> rows = parsed;
    Column beforeBirth = lit(false);
    Column afterDeath = lit(false);
    if (table != SourceTable.PERSON) {
      rows = rows.join(references.births().select(col(PERSON_ID).as("_ref_person"),
              col(BIRTH_DATE).as("_ref_birth")),
          col(PERSON_ID).equalTo(col("_ref_person")), "left");
      beforeBirth = col(table.eventDate).lt(col("_ref_birth"));
    }
    if (table.isEvent()) {
      rows = rows.join(references.deaths().select(col(PERSON_ID).as("_ref_death_person"),
              col(DEATH_DATE).as("_ref_death")),
          col(PERSON_ID).equalTo(col("_ref_death_person")), "left");
      afterDeath = col(table.eventDate).gt(
          date_add(col("_ref_death"), references.maxDaysAfterDeath()));
    }
    Column endBeforeStart = table.endDate == null ? lit(false)
        : col(table.endDate).lt(col(table.eventDate));
    Column emptyNames = array().cast("array<string>");
    List<Object[]> checks = List.of(
        new Object[] {MALFORMED_ROW, col(MALFORMED), emptyNames},
        new Object[] {UNPARSEABLE_DATE, size(col(UNPARSEABLE_DATES)).gt(0), col(UNPARSEABLE_DATES)},
        new Object[] {UNPARSEABLE_NUMBER, size(col(UNPARSEABLE_NUMBERS)).gt(0),
            col(UNPARSEABLE_NUMBERS)},
        new Object[] {MISSING_REQUIRED, size(col(MISSING)).gt(0), col(MISSING)},
        new Object[] {END_BEFORE_START, endBeforeStart, nameArray(table.endDate)},
        new Object[] {EVENT_BEFORE_BIRTH, beforeBirth, nameArray(table.eventDate)},
        new Object[] {EVENT_AFTER_DEATH, afterDeath, nameArray(table.eventDate)});
    Column reason = null;
    Column offending = null;
    for (Object[] check : checks) {
      Column failed = coalesce((Column) check[1], lit(false));
      reason = reason == null ? when(failed, lit(check[0])) : reason.when(failed, lit(check[0]));
      offending = offending == null ? when(failed, (Column) check[2])
          : offending.when(failed, (Column) check[2]);
    }
    List<Column> keep = new ArrayList<>();
    for (String name : parsed.columns()) {
      keep.add(col(name));
    }
    keep.add(reason.as(REASON));
    keep.add(offending.as(OFFENDING));
    return rows.select(keep.toArray(Column[]::new))
        .drop(MALFORMED, UNPARSEABLE_DATES, UNPARSEABLE_NUMBERS, MISSING);
  }

  private static Column nameArray(String name) {
    return name == null ? array().cast("array<string>") : array(lit(name));
  }

  /** Coarsening, redaction and the date shift; only accepted rows reach silver. */
  private static Dataset<Row> applyGuard(SourceTable table, Dataset<Row> rows, DeidGuard guard) {
    StructType contract = table.silverSchema();
    Column hits = lit(0L);
    List<Column> out = new ArrayList<>();
    for (String name : rows.columns()) {
      StructField field = contract.getFieldIndex(name).isDefined()
          ? contract.fields()[(Integer) contract.getFieldIndex(name).get()] : null;
      Column value = col(name);
      if (field == null) {
        out.add(value);
        continue;
      }
      if (name.equals("year_of_birth")) {
        value = guard.foldYearOfBirth(value);
      } else if (DeidGuard.isFreeText(field)) {
        hits = hits.plus(guard.identifierHits(value));
        value = guard.redact(value);
      } else if (field.dataType().equals(DataTypes.DateType)) {
        value = date_add(value, guard.shiftDays(col(PERSON_ID)));
      }
      out.add(value.as(name));
    }
    out.add(hits.cast(DataTypes.LongType).as(IDENTIFIER_HITS));
    return rows.select(out.toArray(Column[]::new));
  }

  /**
   * Rows sharing a natural key: identical content keeps the first (by file and position) and
   * counts the rest as duplicates; differing content quarantines them all, since which one is
   * right cannot be known.
   */
  private static Dataset<Row> deduplicate(SourceTable table, Dataset<Row> rows) {
    List<Column> content = new ArrayList<>();
    for (StructField field : table.silverSchema().fields()) {
      if (!SourceTable.LINEAGE.contains(field.name())) {
        content.add(col(field.name()));
      }
    }
    Column valid = col(REASON).isNull();
    Column fingerprint = sha2(to_json(struct(content.toArray(Column[]::new))), 256);
    WindowSpec byKey = Window.partitionBy(col(table.keyColumn));
    WindowSpec ordered = byKey.orderBy(col(REASON).isNotNull(), col("source_file"),
        col(ROW_POSITION));
    Dataset<Row> ranked = rows
        .withColumn("_variants", size(collect_set(when(valid, fingerprint)).over(byKey)))
        .withColumn("_rank", row_number().over(ordered));
    Column conflict = valid.and(col(table.keyColumn).isNotNull()).and(col("_variants").gt(1));
    return ranked
        .withColumn(DUPLICATE, valid.and(col("_variants").equalTo(1)).and(col("_rank").gt(1)))
        .withColumn(OFFENDING, when(conflict, nameArray(table.keyColumn))
            .otherwise(col(OFFENDING)))
        .withColumn(REASON, when(conflict, lit(DUPLICATE_KEY_CONFLICT)).otherwise(col(REASON)))
        .drop("_variants", "_rank");
  }
}
