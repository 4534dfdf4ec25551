package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the rows of other tables are checked against, one row per person of the site: date of
 * birth, date of death, observation periods, and whether the site ever sent the person. Built
 * once per batch from the batch's person, death and observation period rows (those that pass
 * their own checks) and silver's rows of the site, all as source dates; the batch's word wins.
 * Joined once to each table, so every check against persons costs one join.
 */
final class PersonContext {
  static final String BIRTH = "_ctx_birth";
  static final String DEATH = "_ctx_death";
  static final String PERIODS = "_ctx_periods";
  static final String KNOWN = "_ctx_known";
  private static final String PERSON = "_ctx_person";
  private static final String BATCH_BIRTH = "_ctx_batch_birth";
  private static final String SILVER_BIRTH = "_ctx_silver_birth";
  private static final String BATCH_DEATH = "_ctx_batch_death";
  private static final String SILVER_DEATH = "_ctx_silver_death";
  private static final String START = "start";
  private static final String END = "end";

  private final Dataset<Row> persons;
  private final int maxDaysAfterDeath;

  private PersonContext(Dataset<Row> persons, int maxDaysAfterDeath) {
    this.persons = persons;
    this.maxDaysAfterDeath = maxDaysAfterDeath;
  }

  /** The batch's and silver's person facts of one site. */
  record Sources(Dataset<Row> batchPersons, Dataset<Row> batchDeaths, Dataset<Row> batchPeriods,
      Dataset<Row> silverPersons, Dataset<Row> silverDeaths, Dataset<Row> silverPeriods) {}

  /**
   * @param sources batch rows from {@link Conform#parse} (null when the batch lacks the table)
   *     and silver's rows of the site (null when silver lacks the table)
   * @param foldedYear the year of birth silver gives every person over the age limit: their
   *     true birth is earlier, so it bounds nothing
   */
  static PersonContext of(SparkSession spark, Sources sources, DeidGuard guard, int foldedYear,
      int maxDaysAfterDeath) {
    Column none = lit(null).cast(DataTypes.DateType);
    Dataset<Row> facts = null;
    if (sources.batchPersons() != null) {
      facts = union(facts, fact(valid(sources.batchPersons()), col(Conform.BIRTH_DATE), none,
          none, none, none, none, true));
    }
    if (sources.silverPersons() != null) {
      Column year = col("year_of_birth");
      facts = union(facts, fact(sources.silverPersons(), none,
          when(year.notEqual(foldedYear), make_date(year, lit(1), lit(1))), none, none, none,
          none, true));
    }
    if (sources.batchDeaths() != null) {
      facts = union(facts, fact(valid(sources.batchDeaths()), none, none, col("death_date"),
          none, none, none, false));
    }
    if (sources.silverDeaths() != null) {
      facts = union(facts, fact(sources.silverDeaths(), none, none, none,
          unshift(col("death_date"), guard), none, none, false));
    }
    Dataset<Row> periods = periods(sources, guard);
    if (periods != null) {
      facts = union(facts, fact(periods, none, none, none, none,
          col("observation_period_start_date"), col("observation_period_end_date"), false));
    }
    if (facts == null) {
      facts = fact(spark.createDataFrame(List.of(), new StructType()
          .add("person_id", DataTypes.LongType)), none, none, none, none, none, none, false);
    }
    Column birth = max(BATCH_BIRTH).isNotNull();
    Dataset<Row> context = facts.groupBy(PERSON).agg(
        when(birth, max(BATCH_BIRTH)).otherwise(max(SILVER_BIRTH)).as(BIRTH),
        when(max(BATCH_DEATH).isNotNull(), max(BATCH_DEATH)).otherwise(max(SILVER_DEATH))
            .as(DEATH),
        collect_list(when(col(START).isNotNull(), struct(col(START), col(END)))).as(PERIODS),
        max(KNOWN).as(KNOWN))
        // A death before birth is itself quarantined; it bounds nothing.
        .withColumn(DEATH, when(col(BIRTH).isNull().or(col(DEATH).geq(col(BIRTH))), col(DEATH)));
    // Checkpointed, not cached: every table's landed rows are cached with this context in their
    // plan, and after each commit to silver person, death or observation period Delta would
    // re-run every cached plan that reads it (all tables of the batch, from the source files).
    return new PersonContext(context.localCheckpoint(false), maxDaysAfterDeath);
  }

  /** The rows with the context of their person added (null columns for persons never sent). */
  Dataset<Row> join(Dataset<Row> rows) {
    return rows.join(persons, rows.col("person_id").equalTo(persons.col(PERSON)), "left")
        .drop(PERSON);
  }

  /** Computes and caches the context now; returns the persons in it. */
  long materialize() {
    return persons.count();
  }

  int maxDaysAfterDeath() {
    return maxDaysAfterDeath;
  }

  /** The batch's periods, and silver's whose id the batch does not send again. */
  private static Dataset<Row> periods(Sources sources, DeidGuard guard) {
    List<String> columns = List.of("observation_period_id", "person_id",
        "observation_period_start_date", "observation_period_end_date");
    Dataset<Row> batch = sources.batchPeriods() == null ? null
        : valid(sources.batchPeriods()).select(columns.stream().map(Column::new)
            .toArray(Column[]::new));
    Dataset<Row> silver = sources.silverPeriods() == null ? null
        : sources.silverPeriods().select(col("observation_period_id"), col("person_id"),
            unshift(col("observation_period_start_date"), guard)
                .as("observation_period_start_date"),
            unshift(col("observation_period_end_date"), guard)
                .as("observation_period_end_date"));
    if (batch == null || silver == null) {
      return batch == null ? silver : batch;
    }
    Dataset<Row> resent = batch.select(col("observation_period_id").as("_resent_id"));
    return batch.unionByName(silver.join(resent,
        silver.col("observation_period_id").equalTo(resent.col("_resent_id")), "left_anti"));
  }

  private static Dataset<Row> valid(Dataset<Row> parsed) {
    return parsed.where(col(Conform.REASON).isNull().and(col("person_id").isNotNull()));
  }

  /** Silver keeps shifted dates; the checks compare source dates. */
  private static Column unshift(Column date, DeidGuard guard) {
    return date_sub(date, guard.shiftDays(col("person_id")));
  }

  private static Dataset<Row> fact(Dataset<Row> rows, Column batchBirth, Column silverBirth,
      Column batchDeath, Column silverDeath, Column start, Column end, boolean known) {
    return rows.select(col("person_id").as(PERSON), batchBirth.as(BATCH_BIRTH),
        silverBirth.as(SILVER_BIRTH), batchDeath.as(BATCH_DEATH), silverDeath.as(SILVER_DEATH),
        start.as(START), end.as(END), lit(known).as(KNOWN));
  }

  private static Dataset<Row> union(Dataset<Row> facts, Dataset<Row> more) {
    return facts == null ? more : facts.unionByName(more);
  }
}
