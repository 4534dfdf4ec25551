package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.udf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Reads the source files of one table of a batch in one scan: every column as a string (from
 * Parquet also as typed, {@link #TYPED_PREFIX}), with each row's lineage (its file relative to
 * the batch root, its 1-based position among the file's data rows, whether its field count was
 * wrong, and a keyed hash of the whole row, so a row can be traced to its source without keeping
 * it).
 *
 * <p>Positions come from the scan itself: Spark numbers the rows of each split in order, and the
 * rows per split, counted on the cached scan, give each split's first position in its file. No
 * file is parsed twice.
 */
final class SourceFiles {
  static final String SOURCE_FILE = "source_file";
  static final String ROW_POSITION = "row_position";
  /** The row had more or fewer fields than the header (e.g. a truncated line). */
  static final String ROW_MALFORMED = "row_malformed";
  static final String ROW_HASH = "row_hash";
  /** The lineage columns every source row carries after its data columns. */
  static final List<String> LINEAGE = List.of(SOURCE_FILE, ROW_POSITION, ROW_MALFORMED,
      ROW_HASH);

  private static final String CORRUPT = "_corrupt_record";
  private static final String FILE = "_file";
  private static final String SPLIT = "_split";
  private static final String ORDINAL = "_ordinal";

  /**
   * Parquet only: a column's value as the file typed it (a number, date or timestamp), beside
   * its text. {@link Conform} parses from it, skipping the text's pattern, where the two agree.
   */
  static final String TYPED_PREFIX = "_typed_";

  /** The one column of a line-oriented file (NDJSON): the whole line, as sent. */
  static final String LINE = "line";

  /** How a format's files are read. */
  enum Kind {
    CSV("csv", false),
    PARQUET("parquet", false),
    /** One JSON value per line, plain or gzip-compressed (.ndjson.gz); read as text lines. */
    NDJSON("ndjson", true);

    final String extension;
    private final boolean gzipAllowed;

    Kind(String extension, boolean gzipAllowed) {
      this.extension = extension;
      this.gzipAllowed = gzipAllowed;
    }

    /** The file names this kind reads, for messages: ".csv", ".ndjson or .ndjson.gz". */
    String described() {
      return "." + extension + (gzipAllowed ? " or ." + extension + ".gz" : "");
    }

    /**
     * Whether the file describes the batch rather than holding its data (skipped): the .json
     * manifest or Parameters a Bulk Data export writes beside its NDJSON.
     */
    boolean describesBatch(String name) {
      return this == NDJSON && name.toLowerCase(Locale.ROOT).endsWith(".json");
    }

    /** Whether the file is read as text (its encoding is checked before the batch starts). */
    boolean text() {
      return this != PARQUET;
    }

    /**
     * The file table a file name stands for: the name without its extension (CSV, Parquet), or
     * up to its first dot (NDJSON: Patient.ndjson and the numbered Patient.2.ndjson are both
     * "Patient"); null when the name lacks the kind's extension.
     */
    String fileTable(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      String stem = gzipAllowed && lower.endsWith(".gz") ? name.substring(0, name.length() - 3)
          : name;
      if (!stem.toLowerCase(Locale.ROOT).endsWith("." + extension)) {
        return null;
      }
      stem = stem.substring(0, stem.length() - extension.length() - 1);
      return this == NDJSON && stem.contains(".") ? stem.substring(0, stem.indexOf('.')) : stem;
    }
  }

  private SourceFiles() {}

  /**
   * The rows of the files: the columns as strings (lower-case names; NDJSON: {@link #LINE}), then
   * {@link #LINEAGE}. Parquet gives each row's index in its file, so its rows stream through; CSV
   * and NDJSON rows are cached (the caller unpersists) and numbered from the rows per split.
   *
   * @param root the batch root the relative file names start from (qualified URI)
   */
  static Dataset<Row> read(SparkSession spark, Kind kind, List<SourceBatch.SourceFile> files,
      List<String> columns, String root, UDF1<scala.collection.Seq<String>, String> rowHash) {
    Dataset<Row> scanned = null;
    for (List<SourceBatch.SourceFile> sameHeader : byHeader(files).values()) {
      Dataset<Row> read = scan(spark, kind, sameHeader, columns);
      scanned = scanned == null ? read : scanned.unionByName(read, true);
    }
    if (scanned == null) {
      return empty(spark, columns);
    }
    List<Column> fields = new ArrayList<>();
    columns.forEach(c -> fields.add(col(c)));
    Dataset<Row> hashed = scanned.withColumn(ROW_HASH, udf(rowHash, DataTypes.StringType)
        .apply(array(fields.toArray(Column[]::new))));
    List<Column> out = new ArrayList<>(fields);
    if (kind == Kind.PARQUET) {
      Arrays.stream(scanned.columns()).filter(c -> c.startsWith(TYPED_PREFIX))
          .forEach(c -> out.add(col(c)));
      out.add(udf(relativePath(root), DataTypes.StringType).apply(col(FILE)).as(SOURCE_FILE));
      out.add(col(ORDINAL).plus(1).as(ROW_POSITION));
      out.add(col(ROW_MALFORMED));
      out.add(col(ROW_HASH));
      return hashed.select(out.toArray(Column[]::new));
    }
    Dataset<Row> raw = hashed.persist(StorageLevel.MEMORY_AND_DISK());
    out.add(col(SOURCE_FILE));
    out.add(col(ORDINAL).minus(col("_first_ordinal")).plus(col("_first_position"))
        .as(ROW_POSITION));
    out.add(col(ROW_MALFORMED));
    out.add(col(ROW_HASH));
    return raw.join(broadcast(splits(spark, raw, root)), new String[] {FILE, SPLIT})
        .select(out.toArray(Column[]::new));
  }

  /** A file URI -> its path below the root; each task sees few files, so the last is kept. */
  private static UDF1<String, String> relativePath(String root) {
    String[] last = new String[2];
    return file -> {
      if (!file.equals(last[0])) {
        last[0] = file;
        last[1] = relative(file, root);
      }
      return last[1];
    };
  }

  /** No rows (every file is empty): the columns and lineage, for the checks that follow. */
  private static Dataset<Row> empty(SparkSession spark, List<String> columns) {
    StructType schema = new StructType();
    for (String column : columns) {
      schema = schema.add(column, DataTypes.StringType);
    }
    schema = schema.add(SOURCE_FILE, DataTypes.StringType).add(ROW_POSITION, DataTypes.LongType)
        .add(ROW_MALFORMED, DataTypes.BooleanType).add(ROW_HASH, DataTypes.StringType);
    return spark.createDataFrame(List.of(), schema);
  }

  /** Files grouped by their header: each group is one scan with one schema. */
  private static Map<List<String>, List<SourceBatch.SourceFile>> byHeader(
      List<SourceBatch.SourceFile> files) {
    Map<List<String>, List<SourceBatch.SourceFile>> groups = new LinkedHashMap<>();
    files.stream().filter(f -> !f.columns().isEmpty())
        .forEach(f -> groups.computeIfAbsent(f.columns(), c -> new ArrayList<>()).add(f));
    return groups;
  }

  /**
   * One scan: the file's columns as strings, the malformed flag and each row's place (CSV and
   * NDJSON: its split and an ordinal increasing within the split; Parquet: its index in the
   * file).
   */
  private static Dataset<Row> scan(SparkSession spark, Kind kind,
      List<SourceBatch.SourceFile> files, List<String> columns) {
    String[] paths = files.stream().map(f -> f.path().toString()).toArray(String[]::new);
    List<String> header = files.get(0).columns();
    Dataset<Row> read;
    Column malformed;
    if (kind == Kind.NDJSON) {
      // Blank lines hold no resource; they keep their place in the numbering.
      read = spark.read().text(paths).withColumnRenamed("value", LINE);
      malformed = lit(false);
    } else if (kind == Kind.CSV) {
      StructType schema = new StructType();
      for (String column : header) {
        schema = schema.add(column, DataTypes.StringType);
      }
      read = spark.read().option("header", "true").option("mode", "PERMISSIVE")
          .option("columnNameOfCorruptRecord", CORRUPT)
          .schema(schema.add(CORRUPT, DataTypes.StringType)).csv(paths);
      malformed = col(CORRUPT).isNotNull();
    } else {
      read = spark.read().parquet(paths);
      malformed = lit(false);
    }
    List<Column> out = new ArrayList<>();
    for (StructField field : read.schema().fields()) {
      String name = field.name().toLowerCase(Locale.ROOT);
      if (columns.contains(name)) {
        out.add(read.col(field.name()).cast(DataTypes.StringType).as(name));
        if (kind == Kind.PARQUET && !field.dataType().equals(DataTypes.StringType)) {
          out.add(read.col(field.name()).as(TYPED_PREFIX + name));
        }
      }
    }
    out.add(malformed.as(ROW_MALFORMED));
    out.add(col("_metadata.file_path").as(FILE));
    if (kind != Kind.PARQUET) {
      out.add(col("_metadata.file_block_start").as(SPLIT));
      out.add(monotonically_increasing_id().as(ORDINAL));
    } else {
      // Parquet numbers a file's rows itself: the index is the position less one.
      out.add(col("_metadata.row_index").as(ORDINAL));
    }
    return read.select(out.toArray(Column[]::new));
  }

  /**
   * Per split (file and start byte): its first row's ordinal, and the file position of that
   * row, 1 plus the rows of the file's earlier splits. One row per split reaches the driver.
   */
  private static Dataset<Row> splits(SparkSession spark, Dataset<Row> raw, String root) {
    List<Row> counted = new ArrayList<>(raw.groupBy(FILE, SPLIT)
        .agg(min(ORDINAL).as("first"), count(lit(1)).as("rows")).collectAsList());
    counted.sort(Comparator.comparing((Row r) -> r.getString(0))
        .thenComparingLong(r -> r.getLong(1)));
    List<Row> out = new ArrayList<>();
    String file = null;
    long position = 1;
    for (Row r : counted) {
      if (!r.getString(0).equals(file)) {
        file = r.getString(0);
        position = 1;
      }
      out.add(RowFactory.create(file, r.getLong(1), r.getLong(2), position,
          relative(file, root)));
      position += r.getLong(3);
    }
    StructType schema = new StructType()
        .add(FILE, DataTypes.StringType).add(SPLIT, DataTypes.LongType)
        .add("_first_ordinal", DataTypes.LongType).add("_first_position", DataTypes.LongType)
        .add(SOURCE_FILE, DataTypes.StringType);
    return spark.createDataFrame(out, schema);
  }

  /** The file's path below the batch root, as the quarantine and lineage name it. */
  private static String relative(String file, String root) {
    // Spark gives the file as an encoded URI (a space is %20); the root is a Hadoop path.
    String path = java.net.URI.create(file).getPath();
    String base = new org.apache.hadoop.fs.Path(root).toUri().getPath();
    return path.startsWith(base + "/") ? path.substring(base.length() + 1) : path;
  }
}
