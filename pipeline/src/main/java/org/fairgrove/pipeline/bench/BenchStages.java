package org.fairgrove.pipeline.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.lakehouse.Schemas;
import org.fairgrove.pipeline.config.EngineKind;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.SynthSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.gate.Promotion;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.nightly.NightlyRun;
import org.fairgrove.pipeline.stage.Stages;
import org.fairgrove.pipeline.omop.Demographics;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.train.OperatingPoints;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.SyntheticFeatures;
import org.fairgrove.pipeline.train.Trainer;
import org.fairgrove.pipeline.validate.FairnessValidation;
import org.fairgrove.pipeline.validate.ValidationResult;

/** Every benchmarked stage, in pipeline order (a stage reads what the ones before it wrote). */
public final class BenchStages {
  private BenchStages() {}

  /** The task the training stages write their synthetic feature table for. */
  private static final String TRAIN_TASK = "bench-train";

  /** Persons in the small-batch stages (the "300-person batch"). */
  private static final long SMALL_BATCH_PERSONS = 300;

  public static List<BenchStage> all() {
    return List.of(
        new BenchStage("synth", "rows written", counted(BenchStages::synth)),
        new BenchStage("ingest", "rows read", true, counted(BenchStages::ingest),
            counted(BenchStages::plainLanding)),
        new BenchStage("synth-next-batch", "rows written",
            counted((spark, config) -> synthBatch(spark, nextBatch(config)))),
        new BenchStage("ingest-next-batch", "rows read", true,
            counted((spark, config) -> ingest(spark, nextBatch(config))),
            counted((spark, config) -> plainLanding(spark, nextBatch(config)))),
        new BenchStage("synth-small-batch", "rows written",
            counted((spark, config) -> synthBatch(spark, smallBatch(config)))),
        new BenchStage("ingest-small-batch", "rows read",
            counted((spark, config) -> ingest(spark, smallBatch(config)))),
        new BenchStage("ingest-bad-rows", "rows read", false, BadRows::run),
        new BenchStage("synth-fhir", "resources written", false,
            counted((spark, config) -> synth(spark, fhir(config)))),
        new BenchStage("ingest-fhir", "resources read", false,
            counted((spark, config) -> ingestResources(spark, fhir(config))),
            counted((spark, config) -> plainLanding(spark, fhir(config)))),
        new BenchStage("synth-silver", "rows written", false, counted(BenchStages::synthSilver)),
        new BenchStage("cohort", "cohort rows", counted(BenchStages::cohort)),
        new BenchStage("features", "events", counted(BenchStages::features)),
        new BenchStage("synth-features", "feature rows", BenchStages::syntheticFeatures),
        new BenchStage("train-xgboost", "feature rows", true,
            (spark, config) -> train(spark, config, EngineKind.XGBOOST),
            (spark, config) -> NativeXGBoost.train(spark, training(config,
                EngineKind.XGBOOST))),
        new BenchStage("train-mllib-gbt", "feature rows",
            (spark, config) -> train(spark, config, EngineKind.MLLIB_GBT)),
        new BenchStage("validate-metrics", "predictions", counted(BenchStages::validateMetrics)),
        new BenchStage("flag-rates", "populations", false, FlagRates::run),
        new BenchStage("nightly", "rows read", false, BenchStages::nightly, null,
            BenchStages::nightlyBatchExists));
  }

  /** A stage whose only outcome is the units it processed. */
  private interface Counting {
    long run(SparkSession spark, FairgroveConfig config);
  }

  private static BenchStage.Runner counted(Counting stage) {
    return (spark, config) -> BenchStage.Outcome.of(stage.run(spark, config));
  }

  /** Writes the synthetic OMOP population; counts every source row written. */
  private static long synth(SparkSession spark, FairgroveConfig config) {
    return SyntheticPopulation.generate(spark, config).totalRows();
  }

  /**
   * Writes the population straight into silver (no source files, no ingest), so the stages
   * after ingest can be timed at sizes ingest would take hours to reach: run only when named,
   * e.g. {@code --stages synth-silver,cohort,features}. Counts silver rows written.
   */
  private static long synthSilver(SparkSession spark, FairgroveConfig config) {
    return SyntheticPopulation.generateIntoSilver(spark, config).totalRows();
  }

  /**
   * A second batch for the same sites, as large as the first: another seed, so most natural keys
   * recur with other values (updates) and the rest are new (inserts).
   */
  private static FairgroveConfig nextBatch(FairgroveConfig config) {
    return batch(config, "next-batch", config.synth.persons(), config.synth.sites(), 1);
  }

  /** A 300-person batch from one site, merged into the populated lakehouse. */
  private static FairgroveConfig smallBatch(FairgroveConfig config) {
    return batch(config, "small-batch", SMALL_BATCH_PERSONS, 1, 2);
  }

  private static FairgroveConfig batch(FairgroveConfig config, String name, long persons,
      int sites, int seedOffset) {
    return config.with(List.of("synth.out=" + config.synth.out() + "-" + name,
        "synth.persons=" + persons, "synth.sites=" + sites,
        "run.seed=" + (config.run.seed() + seedOffset)));
  }

  /** Writes a later batch; its ground truth goes to a scratch lakehouse beside its files. */
  private static long synthBatch(SparkSession spark, FairgroveConfig batch) {
    return synth(spark, batch.with(List.of("lakehouse.root=" + batch.synth.out() + "-truth")));
  }

  /**
   * The population written as FHIR R4 Bulk Data NDJSON beside the OMOP one, ingested into a
   * lakehouse of its own.
   */
  private static FairgroveConfig fhir(FairgroveConfig config) {
    return config.with(List.of("synth.format=" + SynthSettings.Format.FHIR_NDJSON.configName(),
        "synth.out=" + config.synth.out() + "-fhir",
        "lakehouse.root=" + config.lakehouse.root() + "-fhir"));
  }

  /** Ingests the FHIR population; counts the resources (NDJSON lines) of its files. */
  private static long ingestResources(SparkSession spark, FairgroveConfig fhir) {
    Ingest.syntheticPopulation(spark, fhir);
    return SyntheticPopulation.writtenRows(spark, fhir).orElseThrow(() ->
        new IllegalStateException("No FHIR population in " + fhir.synth.out()
            + ": run the synth-fhir stage before ingest-fhir")).values().stream()
        .mapToLong(Long::longValue).sum();
  }

  /** Ingests every site of the population into bronze and silver; counts source rows read. */
  private static long ingest(SparkSession spark, FairgroveConfig config) {
    return Ingest.syntheticPopulation(spark, config).stream()
        .mapToLong(IngestSummary::rowsRead).sum();
  }

  /**
   * The baseline ingest is measured against: every source file of every site read with the
   * schema ingest reads it with (CSV: every column a string; FHIR: each line as text) and
   * appended as Delta, with no guard, no checks, no merge, into a scratch lakehouse beside the
   * benchmark's own (a later batch appends to the tables the first one landed). Counts rows
   * landed.
   */
  private static long plainLanding(SparkSession spark, FairgroveConfig config) {
    String root = config.lakehouse.root() + "-plain-landing";
    SynthSettings.Format format = config.synth.format();
    long rows = 0;
    for (String table : SyntheticPopulation.sourceTables(format)) {
      String location = Locations.child(root, table);
      long before = DeltaTable.isDeltaTable(spark, location)
          ? spark.read().format("delta").load(location).count() : 0;
      for (String site : SyntheticPopulation.siteIds(config)) {
        String folder = Locations.child(config.synth.out(), site);
        Dataset<Row> read = switch (format) {
          case CSV -> spark.read().option("header", "true")
              .schema(strings(Schemas.load("omop/" + table)))
              .csv(Locations.child(folder, table));
          case PARQUET -> spark.read().parquet(Locations.child(folder, table));
          case FHIR_NDJSON -> spark.read().text(Locations.child(folder, table + ".*.ndjson"));
        };
        read.write().format("delta").mode("append").save(location);
      }
      rows += spark.read().format("delta").load(location).count() - before;
    }
    return rows;
  }

  private static StructType strings(StructType schema) {
    StructType out = new StructType();
    for (StructField field : schema.fields()) {
      out = out.add(field.name(), DataTypes.StringType);
    }
    return out;
  }

  /** Builds the demo task's cohort from silver; counts cohort rows. */
  private static long cohort(SparkSession spark, FairgroveConfig config) {
    return Stages.COHORT.runAlone(spark, config).rows();
  }

  /** Builds the features; counts the events read (the events/s). */
  private static long features(SparkSession spark, FairgroveConfig config) {
    Stages.FEATURES.runAlone(spark, config);
    return Features.eventCount(spark, config);
  }

  /**
   * Nightly as the scheduler runs it, twice on the lakehouse the ingest stage filled with the
   * population as of synth.as-of. The first run has nothing new to ingest and trains the task's
   * first model (champion if it passes the policy). Then the population's next batch lands (what
   * changed after synth.as-of up to synth.end-date, one folder per site) and the second run
   * ingests it and trains, validates, gates against the champion, scores and monitors (the first
   * model is made champion by a recorded override when the gate did not promote it). Counts the
   * rows the second run read; details hold each run's outcome and seconds per stage.
   */
  private static BenchStage.Outcome nightly(SparkSession spark, FairgroveConfig config) {
    String landing = config.synth.out() + "-nightly";
    FairgroveConfig nightly = config.with(List.of("nightly.landing=" + landing,
        "nightly.source-format=" + config.synth.format().sourceFormat()));
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    NightlyRun.Result first = NightlyRun.run(spark, nightly, null, false);
    details.set("first_run", runDetails(spark, nightly, first));
    if (first.outcome() != NightlyRun.Outcome.PROMOTED) {
      // The second run is timed as a scheduled night is, against a champion: the first model
      // becomes champion through the gate's override, recorded with its reason.
      String model = new Registry(spark, new Lakehouse(spark, config.lakehouse.root())).list()
          .stream().filter(e -> e.taskId().equals(config.task.requireId())).reduce((a, b) -> b)
          .orElseThrow().modelId();
      Promotion.promote(spark, nightly, model, new Promotion.Override("fairgrove bench",
          "benchmark: a champion for the timed nightly run to be gated against"), null, null);
      details.put("first_model_promoted_by_override", true);
    }
    FairgroveConfig batch = config.with(List.of("synth.out=" + Locations.child(landing,
        "after-" + config.synth.asOf()), "synth.after=\"" + config.synth.asOf() + "\"",
        "synth.as-of=\"" + config.synth.endDate() + "\""));
    SyntheticPopulation.generate(spark, batch);
    long before = rowsIngested(spark, config);
    NightlyRun.Result second = NightlyRun.run(spark, nightly, null, false);
    details.set("second_run", runDetails(spark, nightly, second));
    return new BenchStage.Outcome(rowsIngested(spark, config) - before, details);
  }

  private static long rowsIngested(SparkSession spark, FairgroveConfig config) {
    return new Lakehouse(spark, config.lakehouse.root()).read(Tables.OPS_INGEST_LOG)
        .agg(org.apache.spark.sql.functions.sum("rows_read")).first().getLong(0);
  }

  private static void nightlyBatchExists(FairgroveConfig config) {
    if (!config.synth.asOf().isBefore(config.synth.endDate())) {
      throw Errors.invalidConfigValue("synth.as-of", "bench stage nightly",
          "The nightly stage ingests the population's next batch: what changed after"
              + " synth.as-of up to synth.end-date (" + config.synth.endDate() + "). With"
              + " synth.as-of on the end date there is no next batch.",
          "a day before synth.end-date, e.g. --set synth.as-of=2023-12-31");
    }
  }

  /** A nightly run's outcome and its stages' seconds, from ops.nightly_runs. */
  private static ObjectNode runDetails(SparkSession spark, FairgroveConfig config,
      NightlyRun.Result run) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("run_id", run.runId());
    out.put("outcome", run.outcome().configName());
    ObjectNode stages = out.putObject("stage_seconds");
    new Lakehouse(spark, config.lakehouse.root()).read(Tables.OPS_NIGHTLY_RUNS)
        .filter(col("run_id").equalTo(run.runId()).and(col("status").equalTo("completed")))
        .orderBy("stage_index")
        .select(col("stage"), col("ended_at").cast("double").minus(col("started_at")
            .cast("double")).as("seconds"))
        .collectAsList()
        .forEach(r -> stages.put(r.getString(0), Math.round(r.getDouble(1) * 10) / 10.0));
    return out;
  }

  /**
   * A synthetic feature table of one row per benchmark person (20 features, known true risk;
   * see {@link SyntheticFeatures}) for the training stages, so the engines compare on the same
   * rows whatever ran before. Its finding: the test AUROC of the true risk (the best achievable).
   */
  private static BenchStage.Outcome syntheticFeatures(SparkSession spark,
      FairgroveConfig config) {
    double achievable = SyntheticFeatures.write(spark,
        new Lakehouse(spark, config.lakehouse.root()), TRAIN_TASK, config.synth.persons(), 20,
        config.run.seed());
    return new BenchStage.Outcome(config.synth.persons(),
        JsonNodeFactory.instance.objectNode().put("achievable_test_auroc", achievable));
  }

  /**
   * Trains one engine on synth-features' table with the same fixed settings for both engines and
   * the native baseline: one trial, depth 5, learning rate 0.1, 50 rounds, no early stopping.
   * Its findings: the seconds the engine spent fitting (the rest reads, scores and saves) and
   * the test AUROC.
   */
  private static BenchStage.Outcome train(SparkSession spark, FairgroveConfig config,
      EngineKind engine) {
    Trainer.Result result = Trainer.train(spark, training(config, engine));
    return new BenchStage.Outcome(config.synth.persons(), JsonNodeFactory.instance.objectNode()
        .put("fit_seconds", Math.round(result.fitSeconds() * 10) / 10.0)
        .put("test_auroc", result.auroc().get("test")));
  }

  private static FairgroveConfig training(FairgroveConfig config, EngineKind engine) {
    return config.with(List.of("task.id=" + TRAIN_TASK,
        "task.train.engine=" + engine.configName(), "task.train.search.trials=1",
        "task.train.search.max-depth=[5]", "task.train.search.learning-rate=[0.1]",
        "task.train.search.min-child-weight=[1]", "task.train.rounds=50",
        "task.train.early-stopping-rounds=0", "task.train.class-weighting=false"));
  }

  /**
   * Subgroup validation metrics on synthetic predictions, one per person of the benchmark size
   * (generated here, so the stage does not wait for training): sex, race, ethnicity, age band,
   * site and payer as in conf/base.conf, plus race x sex, giving over 40 slices, with the
   * configured bootstrap replicates (1000 by default). Counts prediction rows validated.
   */
  private static long validateMetrics(SparkSession spark, FairgroveConfig config) {
    Dataset<Row> predictions = predictions(spark, config.synth.persons(), config.run.seed())
        .cache();
    long rows = predictions.count();
    ValidationResult result = FairnessValidation.validate(predictions, "row_key",
        config.governance, OperatingPoints.set(config.task.operatingPoints(), predictions),
        config.run.seed());
    if (result.metrics().isEmpty()) {
      throw new IllegalStateException("validation returned no metrics");
    }
    predictions.unpersist();
    return rows;
  }

  /** Deterministic predictions: attributes and outcome from hashes of (seed, id). */
  static Dataset<Row> predictions(SparkSession spark, long rows, long seed) {
    List<Column> columns = new ArrayList<>(List.of(col("id").as("row_key")));
    List<List<String>> attributes = List.of(
        List.of("M", "F", Demographics.UNKNOWN),
        List.of("White", "Black", "Asian", "AIAN", "NHPI", Demographics.RACE_OTHER),
        List.of("Hispanic", "NotHispanic", Demographics.UNKNOWN),
        Demographics.AGE_BAND_LABELS,
        List.of("S1", "S2", "S3", "S4", "S5"),
        Demographics.PAYERS);
    List<String> names = List.of("sex", "race", "ethnicity", "age_band", "site_id", "payer");
    Column score = lit(-2.0);
    for (int a = 0; a < names.size(); a++) {
      List<String> groups = attributes.get(a);
      Column index = pmod(xxhash64(lit(seed), lit(a), col("id")), lit(groups.size()));
      columns.add(element_at(lit(groups.toArray(String[]::new)), index.plus(1).cast("int"))
          .as(names.get(a)));
      // Each attribute shifts the true log-odds a little, so groups differ in prevalence.
      score = score.plus(index.multiply(0.1));
    }
    Column uniform1 = uniform(seed, 101);
    Column uniform2 = uniform(seed, 102);
    // Latent signal, the model's view of it (noisy), and the outcome from the true risk.
    Column signal = uniform1.multiply(4).minus(2);
    Column trueRisk = lit(1).divide(lit(1).plus(exp(score.plus(signal).multiply(-1))));
    Column modelRisk = lit(1).divide(lit(1).plus(exp(score.plus(signal.multiply(0.8))
        .plus(uniform2.minus(0.5)).multiply(-1))));
    columns.add(when(uniform(seed, 103).lt(trueRisk), 1).otherwise(0).as("label"));
    // Rounded to 4 decimals, as scores often are: ties are exercised.
    columns.add(org.apache.spark.sql.functions.round(modelRisk, 4).as("risk"));
    return spark.range(rows).select(columns.toArray(Column[]::new));
  }

  private static Column uniform(long seed, int stream) {
    return pmod(xxhash64(lit(seed), lit(stream), col("id")), lit(1_000_000_007L))
        .divide(1_000_000_007.0);
  }
}
