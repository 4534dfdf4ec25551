package org.fairgrove.pipeline.lakehouse;

import java.util.List;

/**
 * How a table's producer writes it. Each mode is one Delta transaction, so a killed writer
 * leaves the previous version readable and writing the same rows again gives the same table.
 */
public enum WriteMode {
  /** Rows are added per run (histories such as validation metrics). */
  APPEND(),
  /** Rows are upserted by natural key with Delta MERGE (the producer holds the merge rule). */
  MERGE(),
  /** One task's rows are replaced (partitioned by task_id). */
  REPLACE_TASK("task_id"),
  /** One feature dictionary of one task is replaced; the task's other dictionaries stay. */
  REPLACE_DICTIONARY("task_id", "dictionary_hash"),
  /** One ingest batch's landed rows are replaced (partitioned by batch). */
  LAND_BATCH("source_batch_id"),
  /** One ingest batch's rows are replaced. */
  REPLACE_BATCH("batch_id"),
  /** One model's rows are replaced. */
  REPLACE_MODEL("model_id"),
  /** The whole table is replaced. */
  OVERWRITE();

  /** The columns a replace is scoped by; none when the mode replaces nothing or everything. */
  final List<String> scopeColumns;

  WriteMode(String... scopeColumns) {
    this.scopeColumns = List.of(scopeColumns);
  }
}
