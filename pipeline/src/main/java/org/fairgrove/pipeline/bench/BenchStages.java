package org.fairgrove.pipeline.bench;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.train.GroundTruth;
import org.fairgrove.pipeline.train.Trainer;

/** Every benchmarked stage, in pipeline order (a stage reads what the ones before it wrote). */
public final class BenchStages {
  private BenchStages() {}

  public static List<BenchStage> all() {
    return List.of(new Synth(), new IngestStage(), new CohortStage(), new FeaturesStage(),
        new TrainStage("xgboost"), new TrainStage("mllib-gbt"));
  }

  /** Writes the synthetic OMOP population; counts every source row written. */
  static final class Synth implements BenchStage {
    @Override
    public String name() {
      return "synth";
    }

    @Override
    public String unit() {
      return "rows written";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      SynthResult result = SyntheticPopulation.generate(spark, config);
      return result.rowsPerTable().values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Ingests every site of the population into bronze and silver; counts source rows read. */
  static final class IngestStage implements BenchStage {
    @Override
    public String name() {
      return "ingest";
    }

    @Override
    public String unit() {
      return "rows read";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      return Ingest.syntheticPopulation(spark, config).stream()
          .mapToLong(IngestSummary::rowsRead).sum();
    }
  }

  /** Builds the demo task's cohort from silver; counts cohort rows. */
  static final class CohortStage implements BenchStage {
    @Override
    public String name() {
      return "cohort";
    }

    @Override
    public String unit() {
      return "cohort rows";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      return Cohort.build(spark, config).rows();
    }
  }

  /** Builds the features; counts the events read (the events/s). */
  static final class FeaturesStage implements BenchStage {
    @Override
    public String name() {
      return "features";
    }

    @Override
    public String unit() {
      return "events";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      return Features.build(spark, config).events();
    }
  }

  /**
   * Trains one engine with the same fixed settings for both (one trial, depth 5, 50 rounds, no
   * early stopping), so their times and AUROCs compare; counts training rows.
   */
  static final class TrainStage implements BenchStage {
    private final String engine;

    TrainStage(String engine) {
      this.engine = engine;
    }

    @Override
    public String name() {
      return "train-" + engine;
    }

    @Override
    public String unit() {
      return "feature rows";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      FairgroveConfig fixed = config.with(List.of("task.train.engine=" + engine,
          "task.train.search.trials=1", "task.train.search.max-depth=[5]",
          "task.train.search.learning-rate=[0.1]", "task.train.rounds=50",
          "task.train.early-stopping-rounds=0"));
      Trainer.Result result = Trainer.train(spark, fixed);
      Progress.info("bench: %s test AUROC %.4f (best achievable from the true risk %s)", name(),
          result.auroc().get("test"), GroundTruth.bestAchievableAuroc(spark, fixed, "test"));
      return new Lakehouse(spark, config.lakehouse.root()).read(Tables.GOLD_FEATURES, "features")
          .count();
    }
  }
}
