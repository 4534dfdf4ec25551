package org.fairgrove.pipeline.cohort;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.core.SmallCells;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.omop.Demographics;

/**
 * Builds gold.cohort for a task, in the style of OHDSI PatientLevelPrediction: index dates from
 * the target rule, then age, prior observation, prior outcome, exclusions, deaths and time at
 * risk, each counted for the attrition table. One row per person and index date, with the label
 * and the slicing attributes (sex, race, ethnicity, age band, site, payer).
 */
public final class Cohort {
  private static final String PRODUCED_BY = "ingest";

  private Cohort() {}

  /** What a cohort build wrote. */
  public record Result(String taskId, long persons, long rows, long events,
      List<Attrition.Step> attrition) {
    /** Totals and the attrition table as a person reads them, small counts suppressed. */
    public String summary(int threshold) {
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
          "Cohort %s: %s persons, %s rows, %s events%n", taskId,
          SmallCells.show(persons, threshold), SmallCells.show(rows, threshold),
          SmallCells.show(events, threshold)));
      out.append(String.format(Locale.ROOT, "  %-4s %-62s %12s %12s %12s %12s%n", "step", "rule",
          "persons", "rows", "-persons", "-rows"));
      for (Attrition.Step step : attrition) {
        out.append(String.format(Locale.ROOT, "  %-4d %-62s %12s %12s %12s %12s%n", step.step(),
            step.rule(), shown(step.personsRemaining()), shown(step.rowsRemaining()),
            shown(step.personsRemoved()), shown(step.rowsRemoved())));
      }
      out.append("Tables: gold.cohort, gold.cohort_attrition\n");
      return out.toString();
    }

    private static String shown(Long count) {
      return count == null ? "suppressed" : Progress.count(count);
    }
  }

  public static Result build(SparkSession spark, FairgroveConfig config) {
    TaskSettings task = config.task;
    String taskId = task.requireId();
    TaskSettings.Outcome outcome = task.requireOutcome();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Progress.Stage stage = Progress.start("cohort " + taskId);

    Dataset<Row> candidates = candidates(lakehouse, task, outcome, indexVisits(lakehouse, task),
        null).persist(StorageLevel.MEMORY_AND_DISK());
    List<Rule> rules = rules(task);
    Counted counted = count(candidates, "qualifying index visit", rules);
    List<Attrition.Count> counts = counted.steps();

    Dataset<Row> cohort = candidates.filter(passesAll(rules)).select(
        lit(taskId).as("task_id"), col("person_id"), col("site_id"), col("index_date"),
        col("label"), when(col("label").equalTo(1), col("first_outcome_date")).as("outcome_date"),
        col("sex"), col("race"), col("ethnicity"), col("age"),
        Demographics.ageBand(col("age")).as("age_band"), col("payer"),
        Splits.assign(task.split(), config.run.seed()).as("split"));
    lakehouse.write(Tables.GOLD_COHORT, cohort, taskId);

    List<Attrition.Step> attrition =
        Attrition.protect(counts, config.governance.smallCellThreshold());
    writeAttrition(spark, lakehouse, taskId, attrition);

    candidates.unpersist();
    // The cohort is what passed every rule: the last attrition count, no second read.
    Attrition.Count written = counts.get(counts.size() - 1);
    Result result = new Result(taskId, written.persons(), written.rows(), counted.events(),
        attrition);
    stage.done(result.rows());
    return result;
  }

  /**
   * Who a model scores on a date: every person of silver.person who meets the task's rules that
   * are known on that date (age, observation with enough prior days, alive, no outcome or
   * excluding condition recorded yet), with the date as index date. Records after the date are
   * not read, so nothing later decides who is scored.
   *
   * @param skipped persons at the start, then remaining after each rule (the first rule a person
   *     fails is why they were skipped)
   */
  public record Population(Dataset<Row> rows, List<Attrition.Count> skipped) {
    /** Persons who met every rule. */
    public long persons() {
      return skipped.get(skipped.size() - 1).persons();
    }
  }

  public static Population asOf(Lakehouse lakehouse, TaskSettings task, LocalDate date) {
    Dataset<Row> index = lakehouse.read(Tables.SILVER_PERSON).select(col("person_id"),
        lit(Date.valueOf(date)).as("index_date"));
    Dataset<Row> candidates = candidates(lakehouse, task, task.requireOutcome(), index, date);
    List<Rule> rules = rules(task).stream().filter(Rule::knownAtIndex).toList();
    List<Attrition.Count> counts = count(candidates, "person in silver.person", rules).steps();
    return new Population(candidates.filter(passesAll(rules)).select(lit(task.id()).as("task_id"),
        col("person_id"), col("site_id"), col("index_date"), col("sex"), col("race"),
        col("ethnicity"), col("age"), Demographics.ageBand(col("age")).as("age_band"),
        col("payer")), counts);
  }

  /**
   * A cohort rule: its attrition label, the condition a row must meet, and whether it is decided
   * by what is known on the index date (rules about the time at risk are not).
   */
  record Rule(String label, Column passes, boolean knownAtIndex) {}

  static List<Rule> rules(TaskSettings task) {
    TaskSettings.Target target = task.target();
    TaskSettings.TimeAtRisk tar = task.timeAtRisk();
    List<Rule> rules = new ArrayList<>();
    rules.add(new Rule("age " + target.minAge() + "-" + target.maxAge() + " at index",
        col("age").between(target.minAge(), target.maxAge()), true));
    rules.add(new Rule("observed at index with " + target.minPriorObservationDays()
            + "+ days prior observation",
        col("observation_start_date").isNotNull()
            .and(datediff(col("index_date"), col("observation_start_date"))
                .geq(target.minPriorObservationDays()))
            .and(col("death_date").isNull().or(col("death_date").geq(col("index_date")))),
        true));
    Column priorOutcome = col("first_outcome_date").lt(col("tar_start_date"));
    if (task.exclusions().priorOutcomeLookbackDays() > 0) {
      priorOutcome = priorOutcome.and(col("first_outcome_date")
          .geq(date_add(col("index_date"), -task.exclusions().priorOutcomeLookbackDays())));
    }
    rules.add(new Rule("no outcome before time at risk",
        coalesce(priorOutcome, lit(false)).unary_$bang(), true));
    if (!task.exclusions().concepts().isEmpty()) {
      rules.add(new Rule("no excluding condition before index",
          coalesce(col("first_exclusion_date").lt(col("index_date")), lit(false)).unary_$bang(),
          true));
    }
    Column diedInTar = coalesce(col("death_date").between(col("tar_start_date"),
        col("tar_end_date")), lit(false)).and(col("label").equalTo(0));
    if (tar.excludeDeaths()) {
      rules.add(new Rule("no death in time at risk without outcome", diedInTar.unary_$bang(),
          false));
    }
    Column observedUntil = tar.requireFull() ? col("tar_end_date") : col("tar_start_date");
    rules.add(new Rule(tar.requireFull() ? "full time at risk observed" : "time at risk observed",
        col("label").equalTo(1).or(diedInTar)
            .or(col("observation_end_date").geq(observedUntil)
                .and(col("death_date").isNull().or(col("death_date").geq(col("tar_start_date"))))),
        false));
    return rules;
  }

  private static Column passesAll(List<Rule> rules) {
    Column passes = lit(true);
    for (Rule rule : rules) {
      passes = passes.and(rule.passes());
    }
    return passes;
  }

  /** Index rows (person_id, index_date) from the target rule's qualifying visits. */
  private static Dataset<Row> indexVisits(Lakehouse lakehouse, TaskSettings task) {
    TaskSettings.Target target = task.target();
    Dataset<Row> visits = lakehouse.read(Tables.SILVER_VISIT)
        .filter(col("visit_concept_id").isin(target.visitConcepts().toArray()))
        .filter(col("visit_start_date").between(Date.valueOf(target.firstIndexDate()),
            Date.valueOf(target.lastIndexDate())));
    return TaskSettings.FIRST_VISIT.equals(target.indexRule())
        ? visits.groupBy("person_id").agg(min("visit_start_date").as("index_date"))
        : visits.groupBy(col("person_id"), year(col("visit_start_date")))
            .agg(min("visit_start_date").as("index_date")).drop("year(visit_start_date)");
  }

  /**
   * Index rows with everything the rules and the cohort row need.
   *
   * @param recordedBy when not null, conditions and deaths after this date are not read
   */
  private static Dataset<Row> candidates(Lakehouse lakehouse, TaskSettings task,
      TaskSettings.Outcome outcome, Dataset<Row> index, LocalDate recordedBy) {
    Dataset<Row> person = lakehouse.read(Tables.SILVER_PERSON);
    Column birthMonth = hasColumn(person, "month_of_birth")
        ? coalesce(col("month_of_birth"), lit(7)) : lit(7);
    Dataset<Row> persons = person.select(col("person_id"), col("site_id"),
        make_date(col("year_of_birth"), birthMonth, lit(1)).as("birth_date"),
        Demographics.sex(col("gender_concept_id")).as("sex"),
        Demographics.race(col("race_concept_id")).as("race"),
        Demographics.ethnicity(col("ethnicity_concept_id")).as("ethnicity"));

    Dataset<Row> rows = index.join(persons, "person_id")
        .withColumn("age", floor(months_between(col("index_date"), col("birth_date")).divide(12))
            .cast(DataTypes.IntegerType));

    Dataset<Row> periods = lakehouse.read(Tables.SILVER_OBSERVATION_PERIOD)
        .select(col("person_id").as("op_person_id"), col("observation_period_start_date"),
            col("observation_period_end_date"));
    rows = rows.join(periods, col("person_id").equalTo(col("op_person_id"))
            .and(col("index_date").between(col("observation_period_start_date"),
                col("observation_period_end_date"))), "left")
        .withColumnRenamed("observation_period_start_date", "observation_start_date")
        .withColumnRenamed("observation_period_end_date", "observation_end_date")
        .drop("op_person_id");

    Dataset<Row> conditions = lakehouse.read(Tables.SILVER_CONDITION);
    if (recordedBy != null) {
      conditions = conditions.filter(col("condition_start_date").leq(Date.valueOf(recordedBy)));
    }
    rows = rows.join(firstDate(conditions, OutcomeMatch.matches(outcome), "first_outcome_date"),
        "person_id", "left");
    if (!task.exclusions().concepts().isEmpty()) {
      rows = rows.join(firstDate(conditions,
          col("condition_concept_id").isin(task.exclusions().concepts().toArray()),
          "first_exclusion_date"), "person_id", "left");
    }
    if (lakehouse.exists(Tables.SILVER_DEATH)) {
      Dataset<Row> deaths = lakehouse.read(Tables.SILVER_DEATH);
      if (recordedBy != null) {
        deaths = deaths.filter(col("death_date").leq(Date.valueOf(recordedBy)));
      }
      rows = rows.join(deaths.groupBy("person_id").agg(min("death_date").as("death_date")),
          "person_id", "left");
    } else {
      rows = rows.withColumn("death_date", lit(null).cast(DataTypes.DateType));
    }
    rows = rows
        .withColumn("tar_start_date", date_add(col("index_date"), task.timeAtRisk().startDay()))
        .withColumn("tar_end_date", date_add(col("index_date"), task.timeAtRisk().endDay()))
        .withColumn("label", when(col("first_outcome_date").between(col("tar_start_date"),
            col("tar_end_date")), 1).otherwise(0));
    return withPayer(lakehouse, rows);
  }

  /** The payer whose plan covers the index date (the latest starting, if several). */
  private static Dataset<Row> withPayer(Lakehouse lakehouse, Dataset<Row> rows) {
    if (!lakehouse.exists(Tables.SILVER_PAYER_PLAN_PERIOD)) {
      return rows.withColumn("payer", lit(null).cast(DataTypes.StringType));
    }
    Dataset<Row> plans = lakehouse.read(Tables.SILVER_PAYER_PLAN_PERIOD)
        .select(col("person_id").as("pp_person_id"), col("payer_plan_period_start_date"),
            col("payer_plan_period_end_date"), col("payer_source_value"));
    Dataset<Row> payerAtIndex = rows.select("person_id", "index_date")
        .join(plans, col("person_id").equalTo(col("pp_person_id"))
            .and(col("index_date").between(col("payer_plan_period_start_date"),
                col("payer_plan_period_end_date"))))
        .groupBy("person_id", "index_date")
        .agg(max_by(col("payer_source_value"), col("payer_plan_period_start_date")).as("payer"));
    return rows.join(payerAtIndex, new String[] {"person_id", "index_date"}, "left");
  }

  private static Dataset<Row> firstDate(Dataset<Row> conditions, Column match, String name) {
    return conditions.filter(match).groupBy("person_id")
        .agg(min("condition_start_date").as(name));
  }

  private static boolean hasColumn(Dataset<Row> table, String column) {
    return List.of(table.columns()).contains(column);
  }

  /** Counts after each rule, and the events among rows that passed them all. */
  private record Counted(List<Attrition.Count> steps, long events) {}

  /** Persons and rows remaining after each rule, and the final events, in one aggregation. */
  private static Counted count(Dataset<Row> candidates, String start, List<Rule> rules) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(countDistinct(col("person_id")));
    aggregates.add(org.apache.spark.sql.functions.count(lit(1)));
    Column passed = lit(true);
    for (Rule rule : rules) {
      passed = passed.and(rule.passes());
      aggregates.add(countDistinct(when(passed, col("person_id"))));
      aggregates.add(sum(when(passed, 1).otherwise(0)));
    }
    aggregates.add(sum(when(passed.and(col("label").equalTo(1)), 1).otherwise(0)));
    Row row = candidates.agg(aggregates.get(0),
        aggregates.subList(1, aggregates.size()).toArray(new Column[0])).first();
    List<Attrition.Count> counts = new ArrayList<>();
    counts.add(new Attrition.Count(start, row.getLong(0), row.getLong(1)));
    for (int i = 0; i < rules.size(); i++) {
      long rows = row.isNullAt(3 + 2 * i) ? 0 : row.getLong(3 + 2 * i);
      counts.add(new Attrition.Count(rules.get(i).label(), row.getLong(2 + 2 * i), rows));
    }
    int events = 2 + 2 * rules.size();
    return new Counted(counts, row.isNullAt(events) ? 0 : row.getLong(events));
  }

  private static void writeAttrition(SparkSession spark, Lakehouse lakehouse, String taskId,
      List<Attrition.Step> steps) {
    StructType schema = new StructType()
        .add("task_id", DataTypes.StringType, false)
        .add("step", DataTypes.IntegerType, false)
        .add("rule", DataTypes.StringType, false)
        .add("persons_remaining", DataTypes.LongType)
        .add("rows_remaining", DataTypes.LongType)
        .add("persons_removed", DataTypes.LongType)
        .add("rows_removed", DataTypes.LongType)
        .add("suppressed", DataTypes.BooleanType, false);
    List<Row> rows = steps.stream().map(s -> RowFactory.create(taskId, s.step(), s.rule(),
        s.personsRemaining(), s.rowsRemaining(), s.personsRemoved(), s.rowsRemoved(),
        s.suppressed())).toList();
    lakehouse.write(Tables.GOLD_COHORT_ATTRITION, spark.createDataFrame(rows, schema)
        .withColumn("built_at", current_timestamp()), taskId);
  }
}
