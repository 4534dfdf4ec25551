package org.fairgrove.pipeline.lakehouse;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;

/**
 * The Delta lakehouse: tables live at ROOT/&lt;schema&gt;/&lt;table&gt; and are addressed by
 * {@link TableId}. Works on any Hadoop file system (local, s3a, abfss).
 */
public final class Lakehouse {
  /** A commit (00000000000000000000.json) or checkpoint file in a Delta log. */
  private static final Pattern LOG_ENTRY = Pattern.compile("\\d{20}\\.(json|checkpoint\\b.*)");

  private final SparkSession spark;
  private final String root;

  public Lakehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root;
  }

  public String root() {
    return root;
  }

  public String location(TableId table) {
    return Locations.child(root, table.schema(), table.name());
  }

  public boolean exists(TableId table) {
    return isDeltaTable(location(table));
  }

  /**
   * A builder that creates the table at its location. A log left without a commit by a process
   * killed mid-creation is removed first: Delta would take it for a table and then fail to read
   * it. Files beside it were never committed, so no table data is lost.
   */
  public DeltaTableBuilder creator(TableId table) {
    Path log = new Path(location(table), "_delta_log");
    try {
      if (!exists(table)) {
        fileSystem().delete(log, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Clearing " + log + " failed", e);
    }
    return DeltaTable.createIfNotExists(spark).location(location(table));
  }

  /** Reads a table, or fails with which command writes it. */
  public Dataset<Row> read(TableId table, String producedBy) {
    if (!exists(table)) {
      throw Errors.tableMissing(table.toString(), location(table), producedBy);
    }
    return spark.read().format("delta").load(location(table));
  }

  /** Every Delta table under the root, as schema.table. */
  public List<TableId> tables() {
    List<TableId> tables = new ArrayList<>();
    try {
      FileSystem fs = fileSystem();
      Path rootPath = new Path(root);
      if (!fs.exists(rootPath)) {
        return tables;
      }
      for (FileStatus schema : fs.listStatus(rootPath)) {
        String schemaName = schema.getPath().getName();
        if (!schema.isDirectory() || schemaName.startsWith("_") || schemaName.startsWith(".")) {
          continue;
        }
        for (FileStatus table : fs.listStatus(schema.getPath())) {
          if (table.isDirectory() && isDeltaTable(table.getPath().toString())) {
            tables.add(new TableId(schemaName, table.getPath().getName()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Listing the lakehouse at " + root + " failed", e);
    }
    tables.sort(null);
    return tables;
  }

  /**
   * Registers every table in the session catalog as schema.table (external tables over their
   * locations), so SQL can name them, e.g. {@code SELECT * FROM silver.person}.
   */
  public List<TableId> registerAll() {
    List<TableId> tables = tables();
    for (TableId table : tables) {
      spark.sql("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
      // The entries are external (LOCATION) tables: dropping one forgets the name, never data.
      // Re-creating makes the name point at this lakehouse even if the session knew another.
      spark.sql("DROP TABLE IF EXISTS " + table.quoted());
      spark.sql("CREATE TABLE " + table.quoted() + " USING delta LOCATION '"
          + location(table).replace("'", "\\'") + "'");
    }
    return tables;
  }

  /**
   * A table exists once its log holds a commit or checkpoint. A bare {@code _delta_log} folder is
   * what a process killed while creating the table leaves behind; it is not a table, and the next
   * run creates it over that folder.
   */
  private boolean isDeltaTable(String location) {
    try {
      Path log = new Path(location, "_delta_log");
      FileSystem fs = fileSystem();
      return fs.exists(log) && fs.listStatus(log, Lakehouse::isLogEntry).length > 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Checking " + location + " failed", e);
    }
  }

  private static boolean isLogEntry(Path file) {
    return LOG_ENTRY.matcher(file.getName()).matches();
  }

  private FileSystem fileSystem() throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    return new Path(root).getFileSystem(conf);
  }

  static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /**
   * Replaces one task's rows of a table in a single Delta transaction (other tasks' rows stay);
   * creates the table, partitioned by task_id, on first write.
   */
  public void replaceTask(Dataset<Row> rows, TableId table, String taskId) {
    rows.write().format("delta").mode("overwrite")
        .option("replaceWhere", "task_id = '" + taskId.replace("'", "''") + "'")
        .partitionBy("task_id")
        .save(location(table));
  }
}
