package org.fairgrove.pipeline.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestRequest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * Bad input at speed: an OMOP CSV batch of ten visits per person in which every 100th visit row
 * is bad, the bad kinds in turn, ingested into a lakehouse of its own; the quarantine and the
 * counts must reconcile exactly with what was written, or the stage fails. Written by Spark, so
 * the batch can be as large as the benchmark size asks.
 *
 * <p>Persons 1..P (men and women in turn) are born 1940-1989 with one observation period
 * 2000-2023; persons P+1..P+D (D = P/100, at least 1) died on 2010-06-01. Good visit rows fall in
 * 2020 for persons 1..P. Bad row kinds, in turn: a line of three fields (malformed_row), an
 * impossible start date (unparseable_date), a concept id that is not a number
 * (unparseable_number), no concept id (missing_required), an end the day before the start
 * (end_before_start), a visit in 1900 (event_before_birth), a visit in 2020 of a person who died
 * in 2010 (event_after_death), the previous row's id with another concept
 * (duplicate_key_conflict: both rows), and the previous row again (a duplicate, kept once). A
 * file of a table OMOP does not have (notes/, one row per 1,000 visits) is quarantined as
 * unknown_table.
 */
final class BadRows {
  static final int VISITS_PER_PERSON = 10;
  /** One visit row in this many is bad. */
  static final int BAD_EVERY = 100;
  static final String SITE = "B1";
  private static final String UNKNOWN_TABLE = "unknown_table";
  private static final String DEATH = "2010-06-01";
  /**
   * Each line is one column named after the CSV header: with header on, Spark's writer writes the
   * header line, then each line as it is (the separator is a character no line holds, so nothing
   * is quoted and a malformed line stays malformed).
   */
  private static final Map<String, String> CSV = Map.of("header", "true", "sep", "\u0001");

  /** The kinds of bad row, in the order they take turns. */
  enum Kind {
    MALFORMED_ROW("malformed_row"),
    UNPARSEABLE_DATE("unparseable_date"),
    UNPARSEABLE_NUMBER("unparseable_number"),
    MISSING_REQUIRED("missing_required"),
    END_BEFORE_START("end_before_start"),
    EVENT_BEFORE_BIRTH("event_before_birth"),
    EVENT_AFTER_DEATH("event_after_death"),
    KEY_CONFLICT("duplicate_key_conflict"),
    DUPLICATE(null);

    /** The reason code the row is quarantined with; null for a duplicate (kept once). */
    final String reason;

    Kind(String reason) {
      this.reason = reason;
    }
  }

  /**
   * What the batch must come to: rows per file, visit rows quarantined per reason (and the
   * unknown file's as unknown_table), visit duplicates.
   */
  record Expected(long personRows, long deathRows, long visitRows, long noteRows,
      Map<String, Long> quarantined, long duplicates) {
    long visitsAccepted() {
      return visitRows - duplicates - quarantined.entrySet().stream()
          .filter(e -> !e.getKey().equals(UNKNOWN_TABLE)).mapToLong(Map.Entry::getValue).sum();
    }

    /** Person, observation period (one per person), death, visit and unknown-file rows. */
    long rowsRead() {
      return 2 * personRows + deathRows + visitRows + noteRows;
    }
  }

  private BadRows() {}

  /** The counts a batch for this many persons must reconcile to, by construction. */
  static Expected expected(long persons) {
    long deaths = Math.max(1, persons / 100);
    long visits = persons * VISITS_PER_PERSON;
    long bad = visits / BAD_EVERY;
    Map<String, Long> quarantined = new LinkedHashMap<>();
    long duplicates = 0;
    Kind[] kinds = Kind.values();
    for (int k = 0; k < kinds.length; k++) {
      // Bad rows 1, 2, 3, ... take kinds 0, 1, 2, ... in turn.
      long ofKind = bad / kinds.length + (k < bad % kinds.length ? 1 : 0);
      if (kinds[k] == Kind.DUPLICATE) {
        duplicates = ofKind;
      } else {
        // A key conflict quarantines the row it repeats as well.
        quarantined.put(kinds[k].reason, kinds[k] == Kind.KEY_CONFLICT ? 2 * ofKind : ofKind);
      }
    }
    long notes = visits / 1000;
    quarantined.put(UNKNOWN_TABLE, notes);
    return new Expected(persons + deaths, deaths, visits, notes, quarantined, duplicates);
  }

  /** Writes the batch for this many persons into the folder (one subfolder per table). */
  static Expected write(SparkSession spark, String folder, long persons) {
    Expected expected = expected(persons);
    long deaths = expected.deathRows();
    Dataset<Row> people = spark.range(1, persons + deaths + 1).toDF("id");
    lines(people, "person_id,gender_concept_id,year_of_birth,race_concept_id,"
        + "ethnicity_concept_id", col("id"),
        when(pmod(col("id"), lit(2)).equalTo(0), lit(8532)).otherwise(lit(8507)),
        pmod(col("id"), lit(50)).plus(1940), lit(8527), lit(38003564))
        .write().mode("overwrite").options(CSV).csv(Locations.child(folder, "person"));
    lines(spark.range(persons + 1, persons + deaths + 1).toDF("id"),
        "person_id,death_date,death_type_concept_id", col("id"), lit(DEATH), lit(32817))
        .write().mode("overwrite").options(CSV).csv(Locations.child(folder, "death"));
    lines(people, "observation_period_id,person_id,observation_period_start_date,"
        + "observation_period_end_date,period_type_concept_id", col("id"), col("id"),
        lit("2000-01-01"), when(col("id").gt(persons), lit(DEATH)).otherwise(lit("2023-12-31")),
        lit(32817))
        .write().mode("overwrite").options(CSV).csv(Locations.child(folder,
            "observation_period"));
    visits(spark, persons, deaths).write().mode("overwrite").options(CSV)
        .csv(Locations.child(folder, "visit_occurrence"));
    lines(spark.range(1, expected.noteRows() + 1).toDF("id"), "note_id,person_id,note_text",
        col("id"), lit(1), lit("free text"))
        .write().mode("overwrite").options(CSV).csv(Locations.child(folder, "notes"));
    return expected;
  }

  /**
   * Visit rows 1..V: row i is person 1 + (i - 1) mod P, start 2020-01-01 + i mod 365, ends the
   * same day; every 100th row is bad, the kinds in turn.
   */
  private static Dataset<Row> visits(SparkSession spark, long persons, long deaths) {
    Column i = col("id");
    Column badIndex = i.divide(BAD_EVERY).cast("long");
    Column kind = when(pmod(i, lit(BAD_EVERY)).equalTo(0),
        pmod(badIndex.minus(1), lit(Kind.values().length)));
    // A conflict and a duplicate repeat the previous row (i - 1, never bad itself).
    Column repeats = kind.isin(Kind.KEY_CONFLICT.ordinal(), Kind.DUPLICATE.ordinal());
    Column source = when(repeats, i.minus(1)).otherwise(i);
    Column start = date_add(lit("2020-01-01").cast("date"), pmod(source, lit(365)).cast("int"));
    Column person = pmod(source.minus(1), lit(persons)).plus(1);
    Column startText = date_format(start, "yyyy-MM-dd");
    Column endText = startText;
    Column concept = lit("9202");
    startText = when(is(kind, Kind.UNPARSEABLE_DATE), lit("2020-13-01"))
        .when(is(kind, Kind.EVENT_BEFORE_BIRTH), lit("1900-01-01")).otherwise(startText);
    endText = when(is(kind, Kind.END_BEFORE_START), date_format(date_add(start, -1),
        "yyyy-MM-dd")).when(is(kind, Kind.EVENT_BEFORE_BIRTH), lit("1900-01-01"))
        .otherwise(endText);
    concept = when(is(kind, Kind.UNPARSEABLE_NUMBER), lit("92O2"))
        .when(is(kind, Kind.MISSING_REQUIRED), lit(""))
        .when(is(kind, Kind.KEY_CONFLICT), lit("9201")).otherwise(concept);
    person = when(is(kind, Kind.EVENT_AFTER_DEATH),
        pmod(badIndex, lit(deaths)).plus(persons + 1)).otherwise(person);
    Column line = when(is(kind, Kind.MALFORMED_ROW), concat_ws(",", i, person, concept))
        .otherwise(concat_ws(",", source, person, concept, startText, endText, lit(32817)));
    return withHeader(spark.range(1, persons * VISITS_PER_PERSON + 1).toDF("id").select(line),
        "visit_occurrence_id,person_id,visit_concept_id,visit_start_date,visit_end_date,"
            + "visit_type_concept_id");
  }

  private static Column is(Column kind, Kind which) {
    return kind.equalTo(which.ordinal());
  }

  private static Dataset<Row> lines(Dataset<Row> rows, String header, Column... fields) {
    return withHeader(rows.select(concat_ws(",", fields)), header);
  }

  /** The lines as one column named after the header (see {@link #CSV}). */
  private static Dataset<Row> withHeader(Dataset<Row> oneColumn, String header) {
    return oneColumn.toDF(header);
  }

  /**
   * The benchmark stage: writes the batch for the benchmark size, ingests it into its own
   * lakehouse and checks the counts; counts rows read. The stage's time includes writing the
   * batch; details give the ingest's own seconds.
   */
  static BenchStage.Outcome run(SparkSession spark, FairgroveConfig config) {
    String folder = config.synth.out() + "-bad-rows";
    FairgroveConfig own = config.with(List.of(
        "lakehouse.root=" + config.lakehouse.root() + "-bad-rows"));
    Expected expected = write(spark, folder, config.synth.persons());
    Progress.info("bench: %,d rows written with %,d bad visit rows", expected.rowsRead(),
        expected.visitRows() / BAD_EVERY);
    IngestSummary summary = Ingest.run(spark, own,
        new IngestRequest(IngestRequest.OMOP_CSV, folder, SITE));
    ObjectNode details = reconcile(spark, own, summary, expected);
    return new BenchStage.Outcome(summary.rowsRead(), details);
  }

  /** Found against expected, per reason and per count; fails on any difference. */
  static ObjectNode reconcile(SparkSession spark, FairgroveConfig config, IngestSummary summary,
      Expected expected) {
    Map<String, Long> found = new LinkedHashMap<>();
    new Lakehouse(spark, config.lakehouse.root()).read(Tables.OPS_QUARANTINE)
        .groupBy("reason_code").count().collectAsList()
        .forEach(r -> found.put(r.getString(0), r.getLong(1)));
    IngestSummary.TableCounts visits = summary.table("visit_occurrence");
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    ObjectNode reasons = details.putObject("quarantined");
    expected.quarantined().forEach((reason, count) -> reasons.putObject(reason)
        .put("expected", count).put("found", found.getOrDefault(reason, 0L)));
    details.putObject("visit_duplicates").put("expected", expected.duplicates())
        .put("found", visits.rowsDuplicate());
    details.putObject("visits_accepted").put("expected", expected.visitsAccepted())
        .put("found", visits.rowsAccepted());
    details.putObject("rows_read").put("expected", expected.rowsRead())
        .put("found", summary.rowsRead());
    boolean reconciles = found.keySet().stream().allMatch(expected.quarantined()::containsKey)
        && expected.quarantined().entrySet().stream()
            .allMatch(e -> found.getOrDefault(e.getKey(), 0L).equals(e.getValue()))
        && visits.rowsDuplicate() == expected.duplicates()
        && visits.rowsAccepted() == expected.visitsAccepted()
        && summary.rowsRead() == expected.rowsRead()
        && summary.tables().stream().allMatch(IngestSummary.TableCounts::reconciles);
    details.put("reconciles", reconciles);
    details.put("ingest_seconds", summary.seconds());
    if (!reconciles) {
      throw new IllegalStateException("The bad-rows batch did not reconcile: " + details);
    }
    return details;
  }
}
