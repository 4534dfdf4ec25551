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
import java.util.HashMap;
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
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.fairgrove.pipeline.core.Errors;

/**
 * The files of one batch, found under the source folder, identified by their content and checked
 * to be readable before any table is touched: a file that is not UTF-8, has the wrong delimiter or
 * lacks a required column fails the whole batch here. Each file table (folder or file name) is
 * then read once, cached, and released with the batch.
 */
final class SourceBatch {
  /** One data file: its table, path relative to the batch root, and header columns. */
  record SourceFile(String table, String relativePath, Path path, List<String> columns) {}

  private final SparkSession spark;
  final IngestRequest request;
  final SourceFormat format;
  final String batchId;
  /** Files per table name (known or not), sorted by table and path. */
  final Map<String, List<SourceFile>> filesByTable;
  /** The size of the batch's files, as stored (compressed, if they are). */
  final long bytes;
  private final String root;
  private final UDF1<scala.collection.Seq<String>, String> rowHash;
  /** Each file table's rows, read once (tables are worked on in parallel, so guarded). */
  private final Map<String, Dataset<Row>> read = new HashMap<>();

  private SourceBatch(SparkSession spark, IngestRequest request, String batchId,
      Map<String, List<SourceFile>> filesByTable, long bytes, String root, byte[] key) {
    this.spark = spark;
    this.request = request;
    this.format = request.format();
    this.batchId = batchId;
    this.filesByTable = filesByTable;
    this.bytes = bytes;
    this.root = root;
    this.rowHash = Pseudonym.rowHash(key);
  }

  /**
   * Finds, reads through and checks every file; the batch id is a hash of their content.
   *
   * @param key the key of the row hashes (the pseudonymisation key)
   */
  static SourceBatch open(SparkSession spark, IngestRequest request, byte[] key) {
    Path root = new Path(request.path());
    Map<String, List<SourceFile>> files = new TreeMap<>();
    MessageDigest batch = sha256();
    long bytes = 0;
    update(batch, request.sourceFormat() + "\n" + request.siteId() + "\n");
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.isDirectory(root)) {
        throw Errors.sourceFolderMissing(request.path());
      }
      for (Candidate candidate : candidates(fs, root, request)) {
        SourceFile file = inspect(fs, candidate, request);
        files.computeIfAbsent(file.table(), t -> new ArrayList<>()).add(file);
        bytes += candidate.size;
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
    String rootUri;
    try {
      rootUri = root.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .makeQualified(root).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the source folder " + request.path() + " failed", e);
    }
    return new SourceBatch(spark, request, id, files, bytes, rootUri, key);
  }

  /** The batch has files for the file table (folder or file name). */
  boolean has(String table) {
    return filesByTable.containsKey(table);
  }

  /** Source columns of a table over all its files, in first-seen order. */
  List<String> columns(String table) {
    Set<String> columns = new LinkedHashSet<>();
    filesByTable.getOrDefault(table, List.of()).forEach(f -> columns.addAll(f.columns()));
    return List.copyOf(columns);
  }

  /**
   * Every row of a file table: each source column as a string, then its lineage
   * ({@link SourceFiles#LINEAGE}). Read once per batch and cached until {@link #release}.
   */
  synchronized Dataset<Row> rows(String table) {
    return read.computeIfAbsent(table, t -> SourceFiles.read(spark, format.fileKind(),
        filesByTable.get(t), columns(t), root, rowHash));
  }

  /** Drops what the batch's reads cached. */
  synchronized void release() {
    read.values().forEach(Dataset::unpersist);
    read.clear();
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
      SourceFiles.Kind kind = request.format().fileKind();
      if (kind.describesBatch(name)) {
        continue;
      }
      String fileTable = kind.fileTable(name);
      if (fileTable == null) {
        throw Errors.unreadableSourceFile(relative,
            "It is not a " + kind.described() + " file, and the batch was declared "
                + request.sourceFormat() + ".",
            "Remove the file from the source folder, or ingest the folder with the format its"
                + " files have.");
      }
      String table = relative.contains("/") ? relative.substring(0, relative.indexOf('/'))
          : fileTable;
      candidates.add(digest(fs, file.getPath(), relative, table.toLowerCase(Locale.ROOT),
          file.getLen(), request));
    }
    return candidates;
  }

  /** Spark's and Hadoop's own files (_SUCCESS, .crc, _delta_log) are not data. */
  private static boolean ignored(String name) {
    return name.startsWith("_") || name.startsWith(".") || name.endsWith(".crc");
  }

  /**
   * Reads the file once: SHA-256 of its bytes and, for text, strict UTF-8 (decompressed first
   * when gzip) and the CSV header.
   */
  private static Candidate digest(FileSystem fs, Path path, String relative, String table,
      long size, IngestRequest request) throws IOException {
    MessageDigest digest = sha256();
    SourceFiles.Kind kind = request.format().fileKind();
    String header = null;
    try (InputStream in = new DigestInputStream(fs.open(path), digest)) {
      if (kind.text()) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(decompressed(fs, path, in),
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)));
        header = kind == SourceFiles.Kind.CSV ? reader.readLine() : null;
        char[] buffer = new char[1 << 16];
        while (reader.read(buffer) >= 0) {
          // Decoding every byte is the encoding check.
        }
      }
      // The digest covers every byte, also any the decompressor left unread.
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (CharacterCodingException e) {
      throw Errors.unreadableSourceFile(relative,
          "It is not valid UTF-8 text (wrong encoding, or not a text file).",
          "Export the file as UTF-8 " + kind.extension.toUpperCase(Locale.ROOT)
              + " and ingest the batch again.");
    } catch (IOException e) {
      throw Errors.unreadableSourceFile(relative,
          "Reading it through failed (" + e.getMessage() + "): a truncated or corrupt"
              + " compressed file, or a storage error.",
          "Copy or export the file again in full, then ingest the batch again.");
    }
    return new Candidate(table, relative, path, size, HexFormat.of().formatHex(digest.digest()),
        header);
  }

  /** The stream decompressed by the codec its name implies (.gz), or as it is. */
  private static InputStream decompressed(FileSystem fs, Path path, InputStream in)
      throws IOException {
    CompressionCodec codec = new CompressionCodecFactory(fs.getConf()).getCodec(path);
    return codec == null ? in : codec.createInputStream(in);
  }

  private static SourceFile inspect(FileSystem fs, Candidate candidate, IngestRequest request) {
    List<String> columns;
    if (request.format().fileKind() == SourceFiles.Kind.NDJSON) {
      columns = List.of(SourceFiles.LINE);
    } else if (request.format().fileKind() == SourceFiles.Kind.CSV) {
      columns = candidate.header == null ? List.of() : csvHeader(candidate);
    } else {
      // The footer read directly: Spark reads a file's schema with a job of its own, which
      // cost a 56-file batch five seconds before any row was read.
      try (ParquetFileReader footer = ParquetFileReader.open(
          HadoopInputFile.fromPath(candidate.path, fs.getConf()))) {
        columns = footer.getFileMetaData().getSchema().getFields().stream()
            .map(f -> f.getName().toLowerCase(Locale.ROOT)).toList();
      } catch (IOException | RuntimeException e) {
        throw Errors.unreadableSourceFile(candidate.relativePath,
            "It is not a readable Parquet file (" + e.getMessage() + ").",
            "Check that the file was written completely as Parquet, then ingest the batch again.");
      }
    }
    requireColumns(request.format().requiredColumns(candidate.table), candidate, columns,
        request.format().name() + " file " + candidate.table,
        "Export " + candidate.table + " with the column names " + request.format().name()
            + " uses, in a header row.");
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

  private static void requireColumns(List<String> required, Candidate candidate,
      List<String> columns, String what, String fix) {
    if (columns.isEmpty() || required.isEmpty()) {
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
