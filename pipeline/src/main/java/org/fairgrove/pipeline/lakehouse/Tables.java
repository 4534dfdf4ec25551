package org.fairgrove.pipeline.lakehouse;

import java.util.List;

/**
 * The catalogue: every lakehouse table, declared once with its contract (schemas/), producer and
 * write mode. Stages read and write tables through these declarations.
 */
public final class Tables {
  private Tables() {}

  /**
   * Silver keeps file statistics of the columns its files are selected by: the site (a merge and
   * the person checks read one site's rows) and the batch (each merge writes its own files). Its
   * other columns are spread over every file, so their statistics could skip none, and collecting
   * them for every written row took 13% of a first load's executor samples (JFR, 9.8M rows of
   * OMOP Parquet). With bronze's and silver's columns declared, that load took 191 s instead of
   * 201 (two cold runs of each, in turns). Merges replace rows by deletion vectors.
   */
  private static Table silverTable(String name) {
    return new Table(TableId.of("silver", name), "silver/" + name, "ingest", WriteMode.MERGE)
        .withStatsColumns("site_id", "source_batch_id").withDeletionVectors();
  }

  public static final Table SILVER_PERSON = silverTable("person");
  public static final Table SILVER_OBSERVATION_PERIOD = silverTable("observation_period");
  public static final Table SILVER_VISIT = silverTable("visit_occurrence");
  public static final Table SILVER_CONDITION = silverTable("condition_occurrence");
  public static final Table SILVER_DRUG = silverTable("drug_exposure");
  public static final Table SILVER_PROCEDURE = silverTable("procedure_occurrence");
  public static final Table SILVER_MEASUREMENT = silverTable("measurement");
  public static final Table SILVER_OBSERVATION = silverTable("observation");
  public static final Table SILVER_DEATH = silverTable("death");
  public static final Table SILVER_PAYER_PLAN_PERIOD = silverTable("payer_plan_period");
  public static final List<Table> SILVER = List.of(SILVER_PERSON, SILVER_OBSERVATION_PERIOD,
      SILVER_PAYER_PLAN_PERIOD, SILVER_VISIT, SILVER_CONDITION, SILVER_DRUG, SILVER_PROCEDURE,
      SILVER_MEASUREMENT, SILVER_OBSERVATION, SILVER_DEATH);

  /** The synthetic population's ground truth; never an input to features or training. */
  public static final Table TRUTH_PERSON_ONSET = new Table(TableId.of("truth", "person_onset"),
      "truth/person_onset", "synth", WriteMode.OVERWRITE);
  public static final Table TRUTH_PERSON_YEAR_RISK = new Table(
      TableId.of("truth", "person_year_risk"), "truth/person_year_risk", "synth",
      WriteMode.OVERWRITE);

  public static final Table GOLD_COHORT = new Table(TableId.of("gold", "cohort"), "gold/cohort",
      "cohort --task T", WriteMode.REPLACE_TASK);
  public static final Table GOLD_COHORT_ATTRITION = new Table(
      TableId.of("gold", "cohort_attrition"), "gold/cohort_attrition", "cohort --task T",
      WriteMode.REPLACE_TASK);
  public static final Table GOLD_FEATURES = new Table(TableId.of("gold", "features"),
      "gold/features", "features --task T", WriteMode.REPLACE_TASK);
  /** Every dictionary a task's features were built in (models keep reading theirs). */
  public static final Table GOLD_FEATURE_DICTIONARY = new Table(
      TableId.of("gold", "feature_dictionary"), "gold/feature_dictionary", "features --task T",
      WriteMode.REPLACE_DICTIONARY);
  public static final Table GOLD_PREDICTIONS = new Table(TableId.of("gold", "predictions"),
      "gold/predictions", "score --task T", WriteMode.MERGE);
  /** The per-row held-out predictions of every validation run, for audit; never in a report. */
  public static final Table GOLD_VALIDATION_PREDICTIONS = new Table(
      TableId.of("gold", "validation_predictions"), "gold/validation_predictions",
      "validate --task T", WriteMode.APPEND);

  public static final Table REGISTRY_MODELS = new Table(TableId.of("registry", "models"),
      "registry/models", "train --task T", WriteMode.MERGE);
  public static final Table REGISTRY_FEATURE_IMPORTANCE = new Table(
      TableId.of("registry", "feature_importance"), "registry/feature_importance",
      "train --task T", WriteMode.REPLACE_MODEL);

  /** Rows ingest could not conform: batch, table, file, row position, reason, column names. */
  public static final Table OPS_QUARANTINE = new Table(TableId.of("ops", "quarantine"),
      "ops/quarantine", "ingest", WriteMode.REPLACE_BATCH);
  /** One row per batch and table: rows read = accepted + quarantined + duplicates. */
  public static final Table OPS_INGEST_LOG = new Table(TableId.of("ops", "ingest_log"),
      "ops/ingest_log", "ingest", WriteMode.REPLACE_BATCH);
  /** Data quality check results per batch, table and check (OHDSI DQD style). */
  public static final Table OPS_DQ_RESULTS = new Table(TableId.of("ops", "dq_results"),
      "ops/dq_results", "ingest", WriteMode.REPLACE_BATCH);
  /** Every metric of every validation run (appended per run, for trends over time). */
  public static final Table OPS_VALIDATION_METRICS = new Table(
      TableId.of("ops", "validation_metrics"), "ops/validation_metrics", "validate --task T",
      WriteMode.APPEND);

  /** Every gate decision with the comparisons behind it (appended per decision). */
  public static final Table OPS_PROMOTION_DECISIONS = new Table(
      TableId.of("ops", "promotion_decisions"), "ops/promotion_decisions", "promote, nightly",
      WriteMode.APPEND);

  /** Every nightly run's stages, with times, inputs, outputs and outcome (appended). */
  public static final Table OPS_NIGHTLY_RUNS = new Table(TableId.of("ops", "nightly_runs"),
      "ops/nightly_runs", "nightly", WriteMode.APPEND);

  /**
   * Every guarded source row of every batch, one table per OMOP table: bronze.TABLE (contract:
   * silver/TABLE's values and bronze/landing).
   */
  public static Table bronze(String table) {
    // Statistics only where a lookup selects files: a row traced back to its source file and
    // position (the batch is the partition). See silverTable for why not every column.
    return new Table(TableId.of("bronze", table), "bronze/" + table, "ingest",
        WriteMode.LAND_BATCH).withStatsColumns("site_id", "source_file", "row_position");
  }

  /** The silver table of an OMOP table: silver.TABLE. */
  public static Table silver(String table) {
    return SILVER.stream().filter(t -> t.id().name().equals(table)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no silver table " + table));
  }
}
