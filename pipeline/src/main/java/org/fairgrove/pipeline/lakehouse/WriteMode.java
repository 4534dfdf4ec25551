package org.fairgrove.pipeline.lakehouse;

/**
 * How a table's producer writes it. Each mode is one Delta transaction, so a killed writer
 * leaves the previous version readable and writing the same rows again gives the same table.
 */
public enum WriteMode {
  /** Rows are added per run (histories such as validation metrics). */
  APPEND(null),
  /** Rows are upserted by natural key with Delta MERGE (the producer holds the merge rule). */
  MERGE(null),
  /** One task's rows are replaced (partitioned by task_id). */
  REPLACE_TASK("task_id"),
  /** One ingest batch's rows are replaced. */
  REPLACE_BATCH("batch_id"),
  /** One model's rows are replaced. */
  REPLACE_MODEL("model_id"),
  /** The whole table is replaced. */
  OVERWRITE(null);

  /** The column a replace is scoped by, or null when the mode replaces nothing or everything. */
  final String scopeColumn;

  WriteMode(String scopeColumn) {
    this.scopeColumn = scopeColumn;
  }
}
