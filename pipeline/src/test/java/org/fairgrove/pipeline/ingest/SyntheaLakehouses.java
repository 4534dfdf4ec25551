package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.substring;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.testing.SyntheaRunner;
import org.fairgrove.pipeline.testing.TempFolders;

/**
 * The shared Synthea population ({@link SyntheaRunner#shared}) ingested once per test JVM in each
 * of its two exports, each into a lakehouse of its own, so tests of one format and tests that
 * compare the two share the work.
 */
public final class SyntheaLakehouses {
  /** The shortest identifier searched for inside values, not only as a whole value. */
  static final int CONTAINED_FROM = 6;
  private static final Map<String, IngestSummary> INGESTED = new HashMap<>();
  private static Path root;

  private SyntheaLakehouses() {}

  /** The folder of the population's export in the format (csv or fhir). */
  public static Path source(String format) {
    SyntheaRunner.Export export = SyntheaRunner.shared();
    return format.equals(IngestRequest.FHIR_NDJSON) ? export.fhir() : export.csv();
  }

  /** The format's batch ingested (once) as site SYN; its summary. */
  public static synchronized IngestSummary ingest(SparkSession spark, String format) {
    return INGESTED.computeIfAbsent(format, f -> Ingest.run(spark, config(f, "t2d-1y"),
        new IngestRequest(f, source(f).toString(), "SYN")));
  }

  /** The configuration of the format's lakehouse, with a shipped task. */
  public static synchronized FairgroveConfig config(String format, String task) {
    if (root == null) {
      root = TempFolders.deletedAtExit("fairgrove-synthea-lakehouses");
    }
    return SparkTestSession.testConfig(root.resolve(format), List.of("tasks/" + task),
        "deid.dev-key=" + IngestMalformedInputTest.KEY, "task.features.min-persons=5");
  }

  public static Lakehouse lakehouse(SparkSession spark, String format) {
    return new Lakehouse(spark, config(format, "t2d-1y").lakehouse.root());
  }

  /** Every distinct value of every column of every table, at every Delta version, as text. */
  static Dataset<Row> everyValueAtRest(SparkSession spark, Lakehouse lakehouse) {
    Dataset<Row> all = null;
    for (TableId table : lakehouse.tables()) {
      String location = lakehouse.location(table);
      List<Long> versions = DeltaTable.forPath(spark, location).history().select("version")
          .as(Encoders.LONG()).collectAsList();
      assertThat(versions).as(table.toString()).isNotEmpty();
      for (long version : versions) {
        Dataset<Row> rows = spark.read().format("delta").option("versionAsOf", version)
            .load(location);
        Column[] asText = Arrays.stream(rows.columns()).map(c -> col(c).cast("string"))
            .toArray(Column[]::new);
        Dataset<Row> values = rows.select(explode(array(asText)).as("value"));
        all = all == null ? values : all.union(values);
      }
    }
    return all.where(col("value").isNotNull()).distinct();
  }

  /**
   * The identifiers (a column {@code value}) found anywhere in the lakehouse at any version: as
   * a whole value, or, for those of {@link #CONTAINED_FROM} characters or more, inside one (a
   * name or street address in free text). A value contains an identifier only where its
   * substring of that length at some position is the identifier's first {@link #CONTAINED_FROM}
   * characters, so values are joined to identifiers by those substrings and only the pairs that
   * share one are searched: linear in the values' length, where comparing every value with every
   * identifier grew with their product.
   */
  static List<String> identifiersAtRest(SparkSession spark, Lakehouse lakehouse,
      Dataset<Row> identifiers) {
    Dataset<Row> atRest = everyValueAtRest(spark, lakehouse).cache();
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
}
