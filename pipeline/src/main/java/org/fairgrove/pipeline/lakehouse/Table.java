package org.fairgrove.pipeline.lakehouse;

import org.apache.spark.sql.types.StructType;

/**
 * One lakehouse table's declaration, like Delta's table configuration: where it lives, its
 * contract in schemas/ (null for bronze, which keeps the columns a source brings), the command
 * that writes it and how.
 *
 * @param contract schema resource name, e.g. "gold/cohort", or null
 * @param producedBy the `fairgrove` command that writes it, for "run X first" messages
 */
public record Table(TableId id, String contract, String producedBy, WriteMode mode) {
  public StructType schema() {
    if (contract == null) {
      throw new IllegalStateException(id + " has no contract");
    }
    return Schemas.load(contract);
  }

  /** Task tables are partitioned by task, so each task's rows stay separable. */
  String partitionColumn() {
    return mode == WriteMode.REPLACE_TASK || mode == WriteMode.REPLACE_DICTIONARY ? "task_id"
        : null;
  }

  @Override
  public String toString() {
    return id.toString();
  }
}
