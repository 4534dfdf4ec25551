package org.fairgrove.pipeline.lakehouse;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;

/**
 * The Delta lakehouse: tables live at ROOT/&lt;schema&gt;/&lt;table&gt; and are addressed by
 * {@link TableId}. Works on any Hadoop file system (local, s3a, abfss).
 */
public final class Lakehouse {
  /** A commit (00000000000000000000.json) or checkpoint file in a Delta log. */
  private static final Pattern LOG_ENTRY = Pattern.compile("\\d{20}\\.(json|checkpoint\\b.*)");
  /** Rows built on the driver that one task carries at most (about 650 KiB of metrics). */
  static final int DRIVER_ROWS_PER_TASK = 4_000;

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

  public String location(Table table) {
    return location(table.id());
  }

  public boolean exists(Table table) {
    return isDeltaTable(location(table));
  }

  /**
   * A builder that creates the table at its location, with its declared properties in the
   * creating commit. A log left without a commit by a process killed mid-creation is removed
   * first: Delta would take it for a table and then fail to read it. Files beside it were never
   * committed, so no table data is lost.
   */
  public DeltaTableBuilder creator(Table table) {
    Path log = new Path(location(table), "_delta_log");
    try {
      if (!exists(table)) {
        fileSystem().delete(log, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Clearing " + log + " failed", e);
    }
    DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark).location(location(table));
    for (Map.Entry<String, String> property : table.properties().entrySet()) {
      builder = builder.property(property.getKey(), property.getValue());
    }
    return builder;
  }

  /**
   * Brings an existing table up to its declaration: the declared properties it lacks or holds
   * another value of (a table written by an earlier version) are set in one commit. Returns the
   * names of the properties it has then, constraints ({@code delta.constraints.NAME}) included.
   */
  public Set<String> upgrade(Table table) {
    Map<String, String> present = properties(table);
    Map<String, String> changed = new TreeMap<>(table.properties());
    changed.entrySet().removeIf(p -> p.getValue().equals(present.get(p.getKey())));
    if (!changed.isEmpty()) {
      spark.sql("ALTER TABLE " + sqlName(table) + " SET TBLPROPERTIES (" + changed.entrySet()
          .stream().map(p -> literal(p.getKey()) + " = " + literal(p.getValue()))
          .collect(Collectors.joining(", ")) + ")");
    }
    Set<String> names = new HashSet<>(present.keySet());
    names.addAll(changed.keySet());
    return names;
  }

  /** The existing table's Delta properties, by name. */
  public Map<String, String> properties(Table table) {
    Map<String, String> properties = new TreeMap<>();
    for (Row property : spark.sql("SHOW TBLPROPERTIES " + sqlName(table)).collectAsList()) {
      properties.put(property.getString(0), property.getString(1));
    }
    return properties;
  }

  /** The table's name in Spark SQL: delta.`location`. */
  public String sqlName(Table table) {
    return "delta." + quote(location(table));
  }

  /** The table's current Delta version, or -1 when it does not exist yet. */
  public long version(Table table) {
    return exists(table) ? DeltaTable.forPath(spark, location(table)).history(1)
        .select("version").first().getLong(0) : -1;
  }

  /** Reads a table, or fails with which command writes it. */
  public Dataset<Row> read(Table table) {
    if (!exists(table)) {
      throw Errors.tableMissing(table.toString(), location(table), table.producedBy());
    }
    return spark.read().format("delta").load(location(table));
  }

  /** Reads any table found in the lakehouse (see {@link #tables()}), e.g. to list or query it. */
  public Dataset<Row> read(TableId table) {
    return spark.read().format("delta").load(location(table));
  }

  /** The table for Delta's own operations (MERGE, UPDATE), created from its contract if new. */
  public DeltaTable delta(Table table) {
    create(table);
    return DeltaTable.forPath(spark, location(table));
  }

  /**
   * Creates the table from its contract (columns, NOT NULL, partitioning, properties); an
   * existing one with declared properties is {@linkplain #upgrade brought up to them}.
   *
   * @return whether it created the table, which then holds no rows
   */
  public boolean create(Table table) {
    if (exists(table)) {
      if (!table.properties().isEmpty()) {
        upgrade(table);
      }
      return false;
    }
    DeltaTableBuilder builder = creator(table).addColumns(table.schema());
    if (table.partitionColumn() != null) {
      builder = builder.partitionedBy(table.partitionColumn());
    }
    builder.execute();
    return true;
  }

  /**
   * Writes rows in the table's contract shape (its columns, in order, cast to its types) as its
   * write mode says, in one transaction; a replace mode replaces the rows of {@code scope} (the
   * task, batch or model id; task and dictionary hash). A table from an older contract gains the
   * new nullable columns.
   */
  public void write(Table table, Dataset<Row> rows, String... scope) {
    if (table.mode() == WriteMode.MERGE) {
      throw new IllegalArgumentException(table + " is merged by its producer, not written");
    }
    List<String> columns = table.mode().scopeColumns;
    if (!columns.isEmpty() && scope.length != columns.size()) {
      throw new IllegalArgumentException(table + " is replaced per " + columns);
    }
    boolean created = create(table);
    DataFrameWriter<Row> writer = conform(table, rows).write().format("delta")
        .option("mergeSchema", "true");
    if (created) {
      // A table created just now has nothing to replace. A replacing write would first list its
      // files (a Delta state reconstruction: three Spark jobs); an append is the same commit.
      writer = writer.mode(SaveMode.Append);
    } else if (!columns.isEmpty()) {
      List<String> conditions = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        conditions.add(columns.get(i) + " = " + literal(scope[i]));
      }
      writer = writer.mode(SaveMode.Overwrite)
          .option("replaceWhere", String.join(" AND ", conditions));
    } else {
      writer = writer.mode(table.mode() == WriteMode.OVERWRITE ? SaveMode.Overwrite
          : SaveMode.Append);
    }
    writer.save(location(table));
  }

  /**
   * Writes rows built on the driver (logs, decisions, metrics), in the contract's column order,
   * as {@link #write(Table, Dataset, String...)} does. They reach Spark in slices of at most
   * {@value #DRIVER_ROWS_PER_TASK} rows: a local relation ships all its rows in one task, and the
   * demo's 38,508 validation metrics made a task of 6,201 KiB (Spark warns above 1,000 KiB).
   */
  public void write(Table table, List<Row> rows, String... scope) {
    int slices = (rows.size() + DRIVER_ROWS_PER_TASK - 1) / DRIVER_ROWS_PER_TASK;
    write(table, slices <= 1 ? spark.createDataFrame(rows, table.schema())
        : spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(rows, slices), table.schema()), scope);
  }

  /** The rows with exactly the contract's columns, in order and type; a missing one fails. */
  public static Dataset<Row> conform(Table table, Dataset<Row> rows) {
    StructType contract = table.schema();
    List<String> present = List.of(rows.columns());
    List<Column> shaped = new ArrayList<>();
    for (StructField field : contract.fields()) {
      if (!present.contains(field.name())) {
        throw new IllegalArgumentException(table + " needs column " + field.name()
            + "; the rows have " + present);
      }
      shaped.add(col(field.name()).cast(field.dataType()).as(field.name(), field.metadata()));
    }
    return rows.select(shaped.toArray(Column[]::new));
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
    register(tables);
    return tables;
  }

  /** Registers these tables as {@link #registerAll} does; each reads the table's Delta log. */
  public void register(List<TableId> tables) {
    for (TableId table : tables) {
      spark.sql("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
      // The entries are external (LOCATION) tables: dropping one forgets the name, never data.
      // Re-creating makes the name point at this lakehouse even if the session knew another.
      spark.sql("DROP TABLE IF EXISTS " + table.quoted());
      spark.sql("CREATE TABLE " + table.quoted() + " USING delta LOCATION "
          + literal(location(table)));
    }
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

  /** A SQL string literal; Spark's parser reads a doubled quote as two adjacent literals. */
  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

}
