package org.fairgrove.pipeline.lakehouse;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * One lakehouse table's declaration, like Delta's table configuration: where it lives, its
 * contract in schemas/, the command that writes it and how.
 *
 * @param contract schema resource name, e.g. "gold/cohort"
 * @param producedBy the `fairgrove` command that writes it, for "run X first" messages
 * @param statsColumns the columns Delta keeps per-file statistics of, for skipping files; empty:
 *     Delta's default, the first 32 columns
 */
public record Table(TableId id, String contract, String producedBy, WriteMode mode,
    List<String> statsColumns) {
  public Table(TableId id, String contract, String producedBy, WriteMode mode) {
    this(id, contract, producedBy, mode, List.of());
  }

  public Table {
    statsColumns = List.copyOf(statsColumns);
  }

  public StructType schema() {
    return Schemas.load(contract);
  }

  /** Task and landed tables are partitioned by task or batch, so each one's rows stay separable. */
  String partitionColumn() {
    return switch (mode) {
      case REPLACE_TASK, REPLACE_DICTIONARY, LAND_BATCH -> mode.scopeColumns.get(0);
      default -> null;
    };
  }

  @Override
  public String toString() {
    return id.toString();
  }
}
