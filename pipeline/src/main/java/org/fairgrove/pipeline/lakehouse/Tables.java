package org.fairgrove.pipeline.lakehouse;

/** The lakehouse tables that stages hand to each other. */
public final class Tables {
  private Tables() {}

  public static final TableId SILVER_PERSON = TableId.of("silver", "person");
  public static final TableId SILVER_OBSERVATION_PERIOD = TableId.of("silver", "observation_period");
  public static final TableId SILVER_VISIT = TableId.of("silver", "visit_occurrence");
  public static final TableId SILVER_CONDITION = TableId.of("silver", "condition_occurrence");
  public static final TableId SILVER_DRUG = TableId.of("silver", "drug_exposure");
  public static final TableId SILVER_PROCEDURE = TableId.of("silver", "procedure_occurrence");
  public static final TableId SILVER_MEASUREMENT = TableId.of("silver", "measurement");
  public static final TableId SILVER_OBSERVATION = TableId.of("silver", "observation");
  public static final TableId SILVER_DEATH = TableId.of("silver", "death");
  public static final TableId SILVER_PAYER_PLAN_PERIOD = TableId.of("silver", "payer_plan_period");

  /** The synthetic population's ground truth; never an input to features or training. */
  public static final TableId TRUTH_PERSON_ONSET = TableId.of("truth", "person_onset");
  public static final TableId TRUTH_PERSON_YEAR_RISK = TableId.of("truth", "person_year_risk");

  public static final TableId GOLD_COHORT = TableId.of("gold", "cohort");
  public static final TableId GOLD_COHORT_ATTRITION = TableId.of("gold", "cohort_attrition");
  public static final TableId GOLD_FEATURES = TableId.of("gold", "features");
  public static final TableId GOLD_FEATURE_DICTIONARY = TableId.of("gold", "feature_dictionary");

  public static final TableId GOLD_PREDICTIONS = TableId.of("gold", "predictions");
  public static final TableId REGISTRY_MODELS = TableId.of("registry", "models");
  public static final TableId REGISTRY_FEATURE_IMPORTANCE =
      TableId.of("registry", "feature_importance");
  /** Landed source rows as strings, one table per OMOP source table: bronze.TABLE. */
  public static TableId bronze(String table) {
    return TableId.of("bronze", table);
  }

  /** The silver table of an OMOP table: silver.TABLE. */
  public static TableId silver(String table) {
    return TableId.of("silver", table);
  }

  /** Rows ingest could not conform: batch, table, file, row position, reason, column names. */
  public static final TableId OPS_QUARANTINE = TableId.of("ops", "quarantine");
  /** One row per batch and table: rows read = accepted + quarantined + duplicates. */
  public static final TableId OPS_INGEST_LOG = TableId.of("ops", "ingest_log");
  /** Data quality check results per batch, table and check (OHDSI DQD style). */
  public static final TableId OPS_DQ_RESULTS = TableId.of("ops", "dq_results");

  /** Every metric of every validation run (appended per run, for trends over time). */
  public static final TableId OPS_VALIDATION_METRICS = TableId.of("ops", "validation_metrics");
}
