package org.fairgrove.pipeline.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.core.Errors;

/**
 * The files of one batch, found under the source folder, identified by their content and checked
 * to be readable before any table is touched: a file that is not UTF-8, has the wrong delimiter or
 * lacks a required column fails the whole batch here.
 */
final class SourceBatch {
  static final String SOURCE_FILE = "source_file";
  static final String ROW_POSITION = "row_position";
  /** The row had more or fewer fields than the header (e.g. a truncated line). */
  static final String ROW_MALFORMED = "row_malformed";
  private static final String CORRUPT = "_corrupt_record";

  /** One data file: its table, path relative to the batch root, and header columns. */
  record SourceFile(String table, String relativePath, Path path, List<String> columns) {}

  private final SparkSession spark;
  final IngestRequest request;
  final String batchId;
  /** Files per table name (known or not), sorted by table and path. */
  final Map<String, List<SourceFile>> filesByTable;

  private SourceBatch(SparkSession spark, IngestRequest request, String batchId,
      Map<String, List<SourceFile>> filesByTable) {
    this.spark = spark;
    this.request = request;
    this.batchId = batchId;
    this.filesByTable = filesByTable;
  }

  /** Finds, reads through and checks every file; the batch id is a hash of their content. */
  static SourceBatch open(SparkSession spark, IngestRequest request) {
    Path root = new Path(request.path());
    Map<String, List<SourceFile>> files = new TreeMap<>();
    MessageDigest batch = sha256();
    update(batch, request.sourceFormat() + "\n" + request.siteId() + "\n");
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.isDirectory(root)) {
        throw Errors.sourceFolderMissing(request.path());
      }
      for (Candidate candidate : candidates(fs, root, request)) {
        SourceFile file = inspect(spark, fs, candidate, request);
        files.computeIfAbsent(file.table(), t -> new ArrayList<>()).add(file);
        update(batch, candidate.relativePath + "\t" + candidate.size + "\t" + candidate.digest
            + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the source folder " + request.path() + " failed", e);
    }
    if (files.isEmpty()) {
      throw Errors.sourceFolderMissing(request.path());
    }
    String id = HexFormat.of().formatHex(batch.digest()).substring(0, 32);
    return new SourceBatch(spark, request, id, files);
  }

  /** Source columns of a table over all its files, in first-seen order. */
  List<String> columns(String table) {
    Set<String> columns = new LinkedHashSet<>();
    filesByTable.getOrDefault(table, List.of()).forEach(f -> columns.addAll(f.columns()));
    return List.copyOf(columns);
  }

  /**
   * Every row of a table as landed: each source column as a string, plus the file it came from,
   * its 1-based position among the file's data rows, and whether its field count was wrong.
   */
  Dataset<Row> rows(String table) {
    List<String> columns = columns(table);
    StructType schema = new StructType();
    for (String column : columns) {
      schema = schema.add(column, DataTypes.StringType);
    }
    StructType positioned = schema.add(SOURCE_FILE, DataTypes.StringType, false)
        .add(ROW_POSITION, DataTypes.LongType, false)
        .add(ROW_MALFORMED, DataTypes.BooleanType, false);
    Dataset<Row> all = spark.createDataFrame(List.of(), positioned);
    for (SourceFile file : filesByTable.get(table)) {
      if (!file.columns().isEmpty()) {
        all = all.unionByName(positioned(file, positioned), true);
      }
    }
    return all;
  }

  private Dataset<Row> positioned(SourceFile file, StructType positioned) {
    Dataset<Row> raw = readStrings(file);
    String[] names = raw.columns();
    int corrupt = Arrays.asList(names).indexOf(CORRUPT);
    List<String> dataColumns = file.columns();
    String relative = file.relativePath();
    // zipWithIndex numbers rows in file order, so a position points at the same row every run.
    JavaRDD<Row> rows = raw.javaRDD().zipWithIndex().map(pair -> {
      Row row = pair._1();
      Object[] values = new Object[dataColumns.size() + 3];
      for (int i = 0; i < dataColumns.size(); i++) {
        values[i] = row.get(i);
      }
      values[dataColumns.size()] = relative;
      values[dataColumns.size() + 1] = pair._2() + 1;
      values[dataColumns.size() + 2] = corrupt >= 0 && !row.isNullAt(corrupt);
      return RowFactory.create(values);
    });
    StructType schema = new StructType();
    for (String column : dataColumns) {
      schema = schema.add(column, DataTypes.StringType);
    }
    schema = schema.add(positioned.apply(SOURCE_FILE)).add(positioned.apply(ROW_POSITION))
        .add(positioned.apply(ROW_MALFORMED));
    return spark.createDataFrame(rows, schema);
  }

  /** The file's rows with every header column as a string (and, for CSV, the corrupt marker). */
  private Dataset<Row> readStrings(SourceFile file) {
    if (request.extension().equals("csv")) {
      StructType schema = new StructType();
      for (String column : file.columns()) {
        schema = schema.add(column, DataTypes.StringType);
      }
      return spark.read().option("header", "true").option("mode", "PERMISSIVE")
          .option("columnNameOfCorruptRecord", CORRUPT)
          .schema(schema.add(CORRUPT, DataTypes.StringType))
          .csv(file.path().toString());
    }
    Dataset<Row> parquet = spark.read().parquet(file.path().toString());
    List<Column> strings = new ArrayList<>();
    for (StructField field : parquet.schema().fields()) {
      strings.add(parquet.col(field.name()).cast(DataTypes.StringType)
          .as(field.name().toLowerCase(Locale.ROOT)));
    }
    return parquet.select(strings.toArray(Column[]::new));
  }

  /** A data file found under the root, with its content digest. */
  private record Candidate(String table, String relativePath, Path path, long size,
      String digest, String header) {}

  private static List<Candidate> candidates(FileSystem fs, Path root, IngestRequest request)
      throws IOException {
    List<FileStatus> found = new ArrayList<>();
    for (FileStatus entry : fs.listStatus(root)) {
      if (ignored(entry.getPath().getName())) {
        continue;
      }
      if (entry.isDirectory()) {
        for (FileStatus file : fs.listStatus(entry.getPath())) {
          if (file.isFile() && !ignored(file.getPath().getName())) {
            found.add(file);
          }
        }
      } else {
        found.add(entry);
      }
    }
    found.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
    String rootText = fs.makeQualified(root).toString();
    List<Candidate> candidates = new ArrayList<>();
    for (FileStatus file : found) {
      String relative = file.getPath().toString().substring(rootText.length() + 1);
      String name = file.getPath().getName();
      if (!name.toLowerCase(Locale.ROOT).endsWith("." + request.extension())) {
        throw Errors.unreadableSourceFile(relative,
            "It is not a ." + request.extension() + " file, and the batch was declared "
                + request.sourceFormat() + ".",
            "Remove the file from the source folder, or ingest the folder with the format its"
                + " files have.");
      }
      String table = relative.contains("/") ? relative.substring(0, relative.indexOf('/'))
          : name.substring(0, name.length() - request.extension().length() - 1);
      candidates.add(digest(fs, file.getPath(), relative, table.toLowerCase(Locale.ROOT),
          file.getLen(), request));
    }
    return candidates;
  }

  /** Spark's and Hadoop's own files (_SUCCESS, .crc, _delta_log) are not data. */
  private static boolean ignored(String name) {
    return name.startsWith("_") || name.startsWith(".") || name.endsWith(".crc");
  }

  /** Reads the file once: SHA-256 of its bytes and, for CSV, strict UTF-8 and the header. */
  private static Candidate digest(FileSystem fs, Path path, String relative, String table,
      long size, IngestRequest request) throws IOException {
    MessageDigest digest = sha256();
    String header = null;
    try (InputStream in = new DigestInputStream(fs.open(path), digest)) {
      if (request.extension().equals("csv")) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in,
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)));
        header = reader.readLine();
        char[] buffer = new char[1 << 16];
        while (reader.read(buffer) >= 0) {
          // Decoding every byte is the encoding check.
        }
      } else {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    } catch (CharacterCodingException e) {
      throw Errors.unreadableSourceFile(relative,
          "It is not valid UTF-8 text (wrong encoding, or not a text file).",
          "Export the file as UTF-8 CSV and ingest the batch again.");
    }
    return new Candidate(table, relative, path, size, HexFormat.of().formatHex(digest.digest()),
        header);
  }

  private static SourceFile inspect(SparkSession spark, FileSystem fs, Candidate candidate,
      IngestRequest request) {
    List<String> columns;
    if (request.extension().equals("csv")) {
      columns = candidate.header == null ? List.of() : csvHeader(candidate);
    } else {
      try {
        columns = Arrays.stream(spark.read().parquet(candidate.path.toString()).schema()
            .fieldNames()).map(c -> c.toLowerCase(Locale.ROOT)).toList();
      } catch (Exception e) {
        // Spark reports a bad footer as a (Scala-thrown, checked) SparkException.
        throw Errors.unreadableSourceFile(candidate.relativePath,
            "It is not a readable Parquet file (" + e.getClass().getSimpleName() + ").",
            "Check that the file was written completely as Parquet, then ingest the batch again.");
      }
    }
    if (request.synthea()) {
      List<String> required = SyntheaCsv.REQUIRED_COLUMNS.get(candidate.table);
      if (required != null) {
        requireColumns(required, candidate, columns, "Synthea file " + candidate.table + ".csv",
            "Ingest the csv folder of Synthea's CSV export (exporter.csv.export=true) as it was"
                + " written.");
      }
    } else {
      SourceTable.byName(candidate.table).ifPresent(known -> requireColumns(
          requiredColumns(known), candidate, columns, "OMOP table " + known.table(),
          "Export the table with the OMOP CDM v5.4 column names in a header row."));
    }
    return new SourceFile(candidate.table, candidate.relativePath, candidate.path, columns);
  }

  private static List<String> csvHeader(Candidate candidate) {
    String header = candidate.header.startsWith("\uFEFF") ? candidate.header.substring(1)
        : candidate.header;
    List<String> columns = Arrays.stream(header.split(",", -1))
        .map(c -> c.strip().replace("\"", "").toLowerCase(Locale.ROOT)).toList();
    if (columns.size() == 1 && header.matches(".*[;\t|].*")) {
      throw Errors.unreadableSourceFile(candidate.relativePath,
          "Its header has no commas but does have ';', tab or '|': it uses another delimiter.",
          "Export the file as comma-separated CSV with a header row.");
    }
    return columns;
  }

  /** The silver contract's required columns are the ones an OMOP source file must have. */
  private static List<String> requiredColumns(SourceTable table) {
    List<String> required = new ArrayList<>();
    for (StructField field : table.silverSchema().fields()) {
      if (!field.nullable() && !SourceTable.LINEAGE.contains(field.name())) {
        required.add(field.name());
      }
    }
    return required;
  }

  private static void requireColumns(List<String> required, Candidate candidate,
      List<String> columns, String what, String fix) {
    if (columns.isEmpty()) {
      return;
    }
    List<String> missing = required.stream().filter(c -> !columns.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw Errors.unreadableSourceFile(candidate.relativePath,
          "Its header lacks the required column(s) " + missing + " of " + what
              + " (header mismatch).", fix);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void update(MessageDigest digest, String text) {
    digest.update(text.getBytes(StandardCharsets.UTF_8));
  }
}
