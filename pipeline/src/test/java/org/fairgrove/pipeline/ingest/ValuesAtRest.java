package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;

/**
 * What a lakehouse holds at rest, read from its files rather than through Delta: every Parquet
 * data file of every table (those of every version, removed ones and rows a deletion vector hides
 * included) and every Delta log file, whose commits, checksums and checkpoints carry each file's
 * statistics (columns' minimum and maximum values), partition values and commit parameters. One
 * read per table covers all its versions, where reading each version through Delta was one read
 * per version and missed the log.
 */
final class ValuesAtRest {
  /** The shortest identifier searched for inside values, not only as a whole value. */
  static final int CONTAINED_FROM = 6;
  /** What separates values in a Delta log line once its quotes are unescaped. */
  private static final String JSON_PUNCTUATION = "[,:{}\\[\\]]";

  private ValuesAtRest() {}

  /**
   * Every distinct value at rest, as text (a column {@code value}): each column of each data
   * file, and each string and number of each log file.
   */
  static Dataset<Row> every(SparkSession spark, Lakehouse lakehouse) {
    List<Path> tables = new ArrayList<>();
    List<String> logText = new ArrayList<>();
    List<String> checkpoints = new ArrayList<>();
    for (TableId table : lakehouse.tables()) {
      tables.add(Path.of(lakehouse.location(table)));
    }
    for (Path file : files(Path.of(lakehouse.root()))) {
      String name = file.getFileName().toString();
      boolean inLog = file.getParent().getFileName().toString().equals("_delta_log");
      if (name.startsWith(".") && name.endsWith(".crc")
          || name.startsWith("deletion_vector_") && name.endsWith(".bin")) {
        continue; // Hadoop's checksum of a sibling file; a bitmap of row positions
      } else if (inLog && name.endsWith(".parquet")) {
        checkpoints.add(file.toString());
      } else if (inLog && (name.endsWith(".json") || name.endsWith(".crc")
          || name.equals("_last_checkpoint"))) {
        logText.add(file.toString());
      } else if (!name.endsWith(".parquet")
          || tables.stream().noneMatch(table -> readWith(table, file))) {
        throw new AssertionError(file + " is at rest in the lakehouse, but is neither a Delta"
            + " table's data file nor its log: the search would not read it");
      }
    }
    Dataset<Row> all = null;
    for (Path table : tables) {
      all = union(all, columnsAsText(spark.read().option("mergeSchema", "true")
          .option("pathGlobFilter", "*.parquet").parquet(table.toString())));
    }
    assertThat(logText).as("Delta log files").isNotEmpty();
    all = union(all, logValues(spark.read().text(logText.toArray(String[]::new))));
    if (!checkpoints.isEmpty()) {
      Dataset<Row> actions = spark.read().parquet(checkpoints.toArray(String[]::new));
      all = union(all, logValues(actions.select(to_json(struct(col("*"))).as("value"))));
    }
    return all.where(col("value").isNotNull().and(col("value").notEqual(""))).distinct();
  }

  /**
   * The identifiers (a column {@code value}) found at rest: as a whole value, or, for those of
   * {@link #CONTAINED_FROM} characters or more, inside one (a name or street address in free
   * text). A value contains an identifier only where its substring of that length at some
   * position is the identifier's first {@link #CONTAINED_FROM} characters, so values are joined
   * to identifiers by those substrings and only the pairs that share one are searched: linear in
   * the values' length, where comparing every value with every identifier grew with their product.
   */
  static List<String> identifiers(SparkSession spark, Lakehouse lakehouse,
      Dataset<Row> identifiers) {
    Dataset<Row> atRest = every(spark, lakehouse).cache();
    try {
      Dataset<Row> whole = atRest.join(identifiers, "value").select(col("value").as("found"));
      Dataset<Row> prefixes = identifiers.where(length(col("value")).geq(CONTAINED_FROM))
          .select(col("value").as("identifier"),
              substring(col("value"), 1, CONTAINED_FROM).as("piece"));
      Dataset<Row> pieces = atRest.where(length(col("value")).geq(CONTAINED_FROM))
          .select(col("value"), explode(sequence(lit(1),
              length(col("value")).minus(CONTAINED_FROM - 1))).as("at"))
          .select(col("value"), expr("substring(value, at, " + CONTAINED_FROM + ")")
              .as("piece"));
      Dataset<Row> inside = pieces.join(prefixes, "piece")
          .where(col("value").contains(col("identifier"))).select(col("identifier").as("found"));
      return whole.union(inside).distinct().as(Encoders.STRING()).collectAsList();
    } finally {
      atRest.unpersist();
    }
  }

  private static List<Path> files(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether reading the table's folder as Parquet reads the file: Spark skips every file and
   * folder whose name starts with _ or . (as it does _delta_log).
   */
  private static boolean readWith(Path table, Path file) {
    if (!file.startsWith(table)) {
      return false;
    }
    for (Path part : table.relativize(file)) {
      if (part.toString().startsWith("_") || part.toString().startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  private static Dataset<Row> columnsAsText(Dataset<Row> rows) {
    Column[] asText = Arrays.stream(rows.columns()).map(c -> col("`" + c + "`").cast("string"))
        .toArray(Column[]::new);
    return rows.select(explode(array(asText)).as("value"));
  }

  /**
   * The strings and numbers of JSON lines (a column {@code value}). Statistics and commit
   * parameters are JSON inside JSON strings, so every escaped quote is unescaped first; the text
   * between quotes is then each string whole, and what lies between punctuation is each number.
   */
  private static Dataset<Row> logValues(Dataset<Row> lines) {
    Dataset<Row> pieces = lines.select(explode(split(regexp_replace(col("value"), "\\\\+\"",
        "\""), "\"")).as("piece"));
    return pieces.select(col("piece").as("value"))
        .union(pieces.select(explode(split(col("piece"), JSON_PUNCTUATION)).as("part"))
            .select(trim(col("part")).as("value")));
  }

  private static Dataset<Row> union(Dataset<Row> all, Dataset<Row> values) {
    return all == null ? values : all.union(values);
  }
}
