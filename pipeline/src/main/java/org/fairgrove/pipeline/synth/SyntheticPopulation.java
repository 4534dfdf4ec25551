package org.fairgrove.pipeline.synth;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_from_unix_date;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.SynthSettings;
import org.fairgrove.pipeline.core.Hashing;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Schemas;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * The embedded default population: OMOP CDM v5.4-shaped source tables, one folder per site
 * ({@code synth.out/<site>/<table>/part-NNNNN.<format>}), and the ground truth as Delta tables
 * {@code truth.person_onset} and {@code truth.person_year_risk} in the lakehouse, outside the
 * source folder so ingest never sees it.
 *
 * <p>Each person is simulated independently from the seed and the person's index, so the output
 * is the same bytes for the same settings whatever the cluster, and the work is spread evenly
 * over partitions with nothing gathered on the driver.
 */
public final class SyntheticPopulation {
  /** Bumped whenever the simulation changes what it writes, so stale populations are redone. */
  static final String GENERATOR_VERSION = "fairgrove-synth-1";
  private static final long PERSONS_PER_PARTITION = 25_000;

  private SyntheticPopulation() {}

  /**
   * Generates the population (or the batch of it that synth.after and synth.as-of select),
   * replacing a previous one in {@code synth.out}.
   */
  public static SynthResult generate(SparkSession spark, FairgroveConfig config) {
    long start = System.nanoTime();
    SynthSettings synth = config.synth;
    PopulationPlan plan = PopulationPlan.from(config);
    SourceFolder folder = new SourceFolder(spark, synth.out());
    folder.requireOwnedOrEmpty();
    Progress.info("synth: %s persons, %s, seed %d, %s into %s",
        Progress.count(plan.persons()), Progress.count(plan.sites().size(), "site"), plan.seed(),
        synth.format().configName(), synth.out());

    if (plan.release().isBatch()) {
      Progress.info("synth: a batch of what changed after %s as of %s (the ground truth was"
          + " written with the population's first release)", synth.after(), synth.asOf());
    } else {
      Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
      writeTruth(spark, plan, Output.TRUTH_PERSON_ONSET, lakehouse, Tables.TRUTH_PERSON_ONSET,
          synth);
      writeTruth(spark, plan, Output.TRUTH_PERSON_YEAR_RISK, lakehouse,
          Tables.TRUTH_PERSON_YEAR_RISK, synth);
    }

    String staging = folder.startStaging();
    Map<String, Long> rows = new LinkedHashMap<>();
    for (Output table : Output.values()) {
      if (synth.format() == SynthSettings.Format.FHIR_NDJSON) {
        if (FhirResources.TYPES.containsKey(table)) {
          rows.put(FhirResources.TYPES.get(table),
              writeResources(spark, plan, table, synth, folder, staging));
        }
      } else if (table.isSource()) {
        rows.put(table.table(), writeSource(spark, plan, table, synth, folder, staging));
      }
    }
    folder.writeManifest(staging, fingerprint(config), plan, synth, rows);
    folder.publish(staging);
    return new SynthResult(plan.persons(), rows, (System.nanoTime() - start) / 1e9, false);
  }

  /**
   * Writes the population straight into the silver tables, with no source files and no ingest,
   * for benchmarks of the stages after ingest at sizes ingest would take hours to reach on a
   * small machine. Nothing here is de-identified (person ids and dates are the simulated ones),
   * which {@code source_batch_id} records; the ground truth goes to the lakehouse as usual.
   *
   * @return rows written per silver table
   */
  public static SynthResult generateIntoSilver(SparkSession spark, FairgroveConfig config) {
    long start = System.nanoTime();
    PopulationPlan plan = PopulationPlan.from(config);
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Progress.info("synth: %s persons, %s, seed %d, straight into silver in %s",
        Progress.count(plan.persons()), Progress.count(plan.sites().size(), "site"), plan.seed(),
        config.lakehouse.root());
    writeTruth(spark, plan, Output.TRUTH_PERSON_ONSET, lakehouse, Tables.TRUTH_PERSON_ONSET,
        config.synth);
    writeTruth(spark, plan, Output.TRUTH_PERSON_YEAR_RISK, lakehouse,
        Tables.TRUTH_PERSON_YEAR_RISK, config.synth);
    String batchId = "synth-direct-" + fingerprint(config);
    Map<String, Long> rows = new LinkedHashMap<>();
    for (Output table : Output.values()) {
      if (!table.isSource()) {
        continue;
      }
      Progress.Stage stage = Progress.start("synth silver." + table.table());
      LongAccumulator written = spark.sparkContext().longAccumulator("synth." + table.table());
      StructType silver = Schemas.load("silver/" + table.table());
      Dataset<Row> all = null;
      for (PopulationPlan.Site site : plan.sites()) {
        if (site.persons() == 0) {
          continue;
        }
        // A union is safe here: the site is a column of each row, not the folder it lands in.
        Dataset<Row> silverRows = asSilver(siteRows(spark, plan, site, table, config.synth,
            written), silver, site.id(), batchId, table.table());
        all = all == null ? silverRows : all.unionByName(silverRows);
      }
      all.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true")
          .save(lakehouse.location(Tables.silver(table.table())));
      stage.done(written.value());
      rows.put(table.table(), written.value());
    }
    return new SynthResult(plan.persons(), rows, (System.nanoTime() - start) / 1e9, false);
  }

  /** Source rows in the silver contract: its columns, in its order, lineage filled in. */
  private static Dataset<Row> asSilver(Dataset<Row> source, StructType silver, String siteId,
      String batchId, String sourceFile) {
    List<String> sourceColumns = List.of(source.columns());
    List<Column> columns = new ArrayList<>();
    for (StructField field : silver.fields()) {
      Column value = switch (field.name()) {
        case "site_id" -> lit(siteId);
        case "source_batch_id" -> lit(batchId);
        case "source_file" -> lit(sourceFile);
        default -> sourceColumns.contains(field.name()) ? col(field.name()) : lit(null);
      };
      columns.add(value.cast(field.dataType()).as(field.name()));
    }
    return source.select(columns.toArray(Column[]::new));
  }

  /**
   * Reuses the population already in {@code synth.out} when it was generated with the same
   * settings and its ground truth is in the lakehouse; generates it otherwise.
   */
  public static SynthResult generateOrReuse(SparkSession spark, FairgroveConfig config) {
    long start = System.nanoTime();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Optional<Map<String, Long>> existing =
        new SourceFolder(spark, config.synth.out()).manifestRows(fingerprint(config));
    if (existing.isPresent() && lakehouse.exists(Tables.TRUTH_PERSON_ONSET)
        && lakehouse.exists(Tables.TRUTH_PERSON_YEAR_RISK)) {
      Progress.info("synth: reusing the identical population in %s", config.synth.out());
      return new SynthResult(config.synth.persons(), existing.get(),
          (System.nanoTime() - start) / 1e9, true);
    }
    return generate(spark, config);
  }

  /**
   * What the population writes per site in its format: the OMOP tables (folder names), or the
   * FHIR resource types (file name prefixes), in table order.
   */
  public static List<String> sourceTables(SynthSettings.Format format) {
    return Arrays.stream(Output.values()).filter(Output::isSource)
        .filter(t -> format != SynthSettings.Format.FHIR_NDJSON
            || FhirResources.TYPES.containsKey(t))
        .map(t -> format == SynthSettings.Format.FHIR_NDJSON ? FhirResources.TYPES.get(t)
            : t.table())
        .toList();
  }

  /** Rows (or resources) written per table of the population in synth.out, if it is there. */
  public static Optional<Map<String, Long>> writtenRows(SparkSession spark,
      FairgroveConfig config) {
    return new SourceFolder(spark, config.synth.out()).manifestRows(fingerprint(config));
  }

  /** The ids of the sites that have persons, each a folder synth.out/&lt;site&gt;. */

  public static List<String> siteIds(FairgroveConfig config) {
    return PopulationPlan.from(config).sites().stream().filter(site -> site.persons() > 0)
        .map(PopulationPlan.Site::id).toList();
  }

  /**
   * One Spark job per site, so each site's files hold exactly its persons (a union of the site
   * ranges would not do: the optimizer may merge adjacent ranges and repartition them).
   */
  private static long writeSource(SparkSession spark, PopulationPlan plan, Output table,
      SynthSettings synth, SourceFolder folder, String staging) {
    Progress.Stage stage = Progress.start("synth " + table.table());
    LongAccumulator rows = spark.sparkContext().longAccumulator("synth." + table.table());
    for (PopulationPlan.Site site : plan.sites()) {
      if (site.persons() == 0) {
        continue;
      }
      String sparkOutput = folder.sparkOutput(staging, table.table(), site.id());
      siteRows(spark, plan, site, table, synth, rows).write()
          .format(synth.format().configName())
          .mode(SaveMode.ErrorIfExists)
          .option("header", "true")
          .option("dateFormat", "yyyy-MM-dd")
          .save(sparkOutput);
      folder.moveParts(sparkOutput, staging, site.id(), table.table());
    }
    folder.dropSparkOutput(staging);
    stage.done(rows.value());
    return rows.value();
  }

  /**
   * Writes the table as FHIR resources, per site into {@code <site>/<Type>.N.ndjson}; counts
   * the resources written.
   */
  private static long writeResources(SparkSession spark, PopulationPlan plan, Output table,
      SynthSettings synth, SourceFolder folder, String staging) {
    String type = FhirResources.TYPES.get(table);
    Progress.Stage stage = Progress.start("synth " + type);
    LongAccumulator rows = spark.sparkContext().longAccumulator("synth." + type);
    LongAccumulator deaths = spark.sparkContext().longAccumulator("synth.deaths");
    for (PopulationPlan.Site site : plan.sites()) {
      if (site.persons() == 0) {
        continue;
      }
      String sparkOutput = folder.sparkOutput(staging, type, site.id());
      FhirResources.of(table, siteRows(spark, plan, site, table, synth, rows),
              siteRows(spark, plan, site, Output.DEATH, synth, deaths))
          .write().mode(SaveMode.ErrorIfExists).text(sparkOutput);
      folder.moveResourceParts(sparkOutput, staging, site.id(), type);
    }
    folder.dropSparkOutput(staging);
    stage.done(rows.value());
    return rows.value();
  }

  private static void writeTruth(SparkSession spark, PopulationPlan plan, Output table,
      Lakehouse lakehouse, Table target, SynthSettings synth) {
    Progress.Stage stage = Progress.start("synth " + target);
    int partitions = (int) Math.max(1, Math.min(100_000,
        (plan.persons() + PERSONS_PER_PARTITION - 1) / PERSONS_PER_PARTITION));
    if (synth.partitions() > 0) {
      partitions = synth.partitions();
    }
    LongAccumulator rows = spark.sparkContext().longAccumulator("synth." + target);
    lakehouse.write(target, typedRows(spark.range(0, plan.persons(), 1, partitions), plan,
        table, rows));
    stage.done(rows.value());
  }

  /** Simulated rows typed as the table's contract (dates travel as epoch days until here). */
  private static Dataset<Row> typedRows(Dataset<Long> persons, PopulationPlan plan, Output table,
      LongAccumulator rows) {
    StructType schema = table.schema();
    StructType simulated = new StructType();
    List<Column> typed = new ArrayList<>();
    for (StructField field : schema.fields()) {
      boolean date = field.dataType().equals(DataTypes.DateType);
      simulated = simulated.add(field.name(), date ? DataTypes.IntegerType : field.dataType(),
          field.nullable());
      typed.add(date ? date_from_unix_date(col(field.name())).as(field.name()) : col(field.name()));
    }
    return persons.mapPartitions(new GenerateRows(plan, table, rows), Encoders.row(simulated))
        .select(typed.toArray(Column[]::new));
  }

  /** The rows of one site's persons for one table, typed as its contract. */
  private static Dataset<Row> siteRows(SparkSession spark, PopulationPlan plan,
      PopulationPlan.Site site, Output table, SynthSettings synth, LongAccumulator rows) {
    return typedRows(spark.range(site.first(), site.end(), 1, partitions(site, synth)), plan,
        table, rows);
  }

  private static int partitions(PopulationPlan.Site site, SynthSettings synth) {
    if (synth.partitions() > 0) {
      return synth.partitions();
    }
    return (int) Math.max(1, (site.persons() + PERSONS_PER_PARTITION - 1) / PERSONS_PER_PARTITION);
  }

  /** Identifies a population by everything that decides its bytes. */
  static String fingerprint(FairgroveConfig config) {
    SynthSettings synth = config.synth;
    String canonical = String.join("|", GENERATOR_VERSION, Long.toString(synth.persons()),
        Integer.toString(synth.sites()), Long.toString(config.run.seed()),
        synth.startDate().toString(), synth.endDate().toString(), synth.asOf().toString(),
        String.valueOf(synth.after()), Double.toString(synth.corrections()),
        synth.format().configName(), Integer.toString(synth.partitions()),
        synth.biases().toString());
    return Hashing.sha256(canonical);
  }
}
