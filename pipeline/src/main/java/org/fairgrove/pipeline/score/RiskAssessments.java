package org.fairgrove.pipeline.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.omop.SourceConcepts;
import org.fairgrove.pipeline.train.Registry;

/**
 * Predictions as FHIR R4 RiskAssessment resources in the layout of a Bulk Data export:
 * numbered {@code RiskAssessment.N.ndjson} files and the {@code $export} completion manifest
 * ({@code manifest.json}) listing them with their counts. Each resource has a business
 * identifier (model, person, date) for conditional upsert, the outcome coded from the task, the
 * time at risk in UCUM days, the model as a contained Device, and the probability rounded to six
 * decimal places.
 */
public final class RiskAssessments {
  static final String MANIFEST = "manifest.json";
  private static final String PREFIX = "RiskAssessment.";
  private static final String SUFFIX = ".ndjson";
  /** Where Spark writes before the files get their names (no "_" or ".": Spark skips those). */
  private static final String STAGING = "RiskAssessment.writing";
  private static final long LINES_PER_FILE = 1_000_000;
  private static final String UCUM = SourceConcepts.FHIR_SYSTEMS.get("UCUM");
  private static final ObjectMapper JSON = new ObjectMapper();

  private RiskAssessments() {}

  /** What an export wrote: its files, resources and manifest. */
  public record Export(String folder, List<String> files, long resources, String manifest) {}

  /**
   * Writes the predictions of one model and date into the folder, replacing an earlier export's
   * RiskAssessment files and manifest there (nothing else in the folder is touched).
   */
  static Export write(SparkSession spark, Dataset<Row> predictions, long rows,
      Registry.Entry model, TaskSettings task, String identifierSystem, LocalDate asOf,
      String folder) {
    Instant transactionTime = Instant.now();
    try {
      Path out = new Path(folder);
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs instanceof LocalFileSystem local) {
        // No .crc files beside the export: its reader is an EHR, not Hadoop.
        fs = local.getRaw();
      }
      Path staging = new Path(out, STAGING);
      fs.delete(staging, true);
      int files = (int) Math.max(1, (rows + LINES_PER_FILE - 1) / LINES_PER_FILE);
      resources(predictions, model, task, identifierSystem).coalesce(files).write()
          .text(staging.toString());
      List<Row> counts = spark.read().text(staging.toString()).groupBy(input_file_name())
          .count().orderBy(col("input_file_name()")).collectAsList();
      for (FileStatus earlier : fs.listStatus(out)) {
        String name = earlier.getPath().getName();
        if (name.equals(MANIFEST) || name.startsWith(PREFIX) && name.endsWith(SUFFIX)) {
          fs.delete(earlier.getPath(), false);
        }
      }
      List<String> written = new ArrayList<>();
      ArrayNode output = JSON.createArrayNode();
      long resources = 0;
      for (Row count : counts) {
        Path file = new Path(out, PREFIX + (written.size() + 1) + SUFFIX);
        if (!fs.rename(new Path(count.getString(0)), file)) {
          throw new IOException("Could not move " + count.getString(0) + " to " + file);
        }
        String url = fs.makeQualified(file).toUri().toString();
        written.add(url);
        output.addObject().put("type", "RiskAssessment").put("url", url)
            .put("count", count.getLong(1));
        resources += count.getLong(1);
      }
      fs.delete(staging, true);
      Path manifest = new Path(out, MANIFEST);
      writeManifest(fs, manifest, transactionTime, request(task, model, asOf), output);
      return new Export(fs.makeQualified(out).toString(), written, resources,
          fs.makeQualified(manifest).toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Writing RiskAssessments to " + folder + " failed", e);
    }
  }

  /** What a Bulk Data server would have been asked; Fairgrove's export answers a command. */
  private static String request(TaskSettings task, Registry.Entry model, LocalDate asOf) {
    return "fairgrove score --task " + task.id() + " --as-of " + asOf + " --model-id "
        + model.modelId();
  }

  private static void writeManifest(FileSystem fs, Path manifest, Instant transactionTime,
      String request, ArrayNode output) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("transactionTime", transactionTime.toString());
    root.put("request", request);
    root.put("requiresAccessToken", false);
    root.set("output", output);
    root.putArray("error");
    try (OutputStream stream = fs.create(manifest, true)) {
      stream.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root)
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** One JSON line per prediction. */
  private static Dataset<Row> resources(Dataset<Row> predictions, Registry.Entry model,
      TaskSettings task, String identifierSystem) {
    Column businessId = concat_ws("|", col("model_id"), col("person_id").cast("string"),
        date_format(col("as_of"), "yyyy-MM-dd"));
    String method = "Gradient-boosted model (" + model.engine() + ") on the patient's record"
        + " before the assessment date";
    return predictions.select(to_json(struct(
        lit("RiskAssessment").as("resourceType"),
        substring(sha2(businessId, 256), 1, 40).as("id"),
        array(device(model, task)).as("contained"),
        array(struct(lit(identifierSystem).as("system"), businessId.as("value")))
            .as("identifier"),
        lit("final").as("status"),
        struct(concat(lit("Patient/"), col("person_id").cast("string")).as("reference"))
            .as("subject"),
        date_format(col("as_of"), "yyyy-MM-dd").as("occurrenceDateTime"),
        struct(lit("#model").as("reference")).as("performer"),
        struct(lit(method).as("text")).as("method"),
        array(struct(
            outcome(task),
            round(col("risk"), 6).cast("decimal(7,6)").as("probabilityDecimal"),
            struct(days(task.timeAtRisk().startDay()).as("low"),
                days(task.timeAtRisk().endDay()).as("high")).as("whenRange")))
            .as("prediction"))).as("value"));
  }

  /** The model that made the prediction: its name, Fairgrove's version and the model id. */
  private static Column device(Registry.Entry model, TaskSettings task) {
    return struct(lit("Device").as("resourceType"), lit("model").as("id"),
        array(struct(lit("Fairgrove " + task.id() + " risk model (" + model.engine() + ")")
            .as("name"), lit("user-friendly-name").as("type"))).as("deviceName"),
        lit(model.modelId()).as("modelNumber"),
        array(struct(lit(model.codeVersion()).as("value"))).as("version"));
  }

  private static Column outcome(TaskSettings task) {
    List<Column> codings = new ArrayList<>();
    for (SourceConcepts.Entry code : task.outcome().exportCodes()) {
      codings.add(struct(lit(SourceConcepts.FHIR_SYSTEMS.get(code.vocabulary())).as("system"),
          lit(code.code()).as("code"), lit(code.name()).as("display")));
    }
    return struct(array(codings.toArray(Column[]::new)).as("coding"),
        lit(task.description()).as("text")).as("outcome");
  }

  private static Column days(int days) {
    return struct(lit(days).as("value"), lit("days").as("unit"), lit(UCUM).as("system"),
        lit("d").as("code"));
  }
}
