package org.fairgrove.pipeline.lakehouse;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * One lakehouse table's declaration, like Delta's table configuration: where it lives, its
 * contract in schemas/, the command that writes it and how.
 *
 * @param contract schema resource name, e.g. "gold/cohort"
 * @param producedBy the `fairgrove` command that writes it, for "run X first" messages
 * @param properties the Delta table properties it is created with, and that a table of an
 *     earlier version is given (see {@link Lakehouse#upgrade})
 */
public record Table(TableId id, String contract, String producedBy, WriteMode mode,
    Map<String, String> properties) {
  /**
   * The columns Delta keeps per-file statistics of, for skipping files; unset: the first 32. Each
   * written row updates the statistics of every such column, so a large table names only the
   * columns its files are selected by.
   */
  public static final String STATS_COLUMNS = "delta.dataSkippingStatsColumns";
  /**
   * A merge or delete marks replaced rows deleted instead of rewriting every file that holds one:
   * a small change to a large table costs its own size.
   */
  public static final String DELETION_VECTORS = "delta.enableDeletionVectors";

  public Table(TableId id, String contract, String producedBy, WriteMode mode) {
    this(id, contract, producedBy, mode, Map.of());
  }

  public Table {
    properties = Map.copyOf(properties);
  }

  /** This table, keeping file statistics only of these columns ({@link #STATS_COLUMNS}). */
  public Table withStatsColumns(String... columns) {
    return withProperty(STATS_COLUMNS, String.join(",", columns));
  }

  /** This table, with {@link #DELETION_VECTORS}. */
  public Table withDeletionVectors() {
    return withProperty(DELETION_VECTORS, "true");
  }

  private Table withProperty(String key, String value) {
    Map<String, String> declared = new HashMap<>(properties);
    declared.put(key, value);
    return new Table(id, contract, producedBy, mode, declared);
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
