package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Training on a sparse feature table whose true risk is known ({@link SyntheticFeatures}: two
 * informative features, one with missing values, one of noise). The best achievable AUROC is that of the
 * true risk itself, computed on the same test rows.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerTest {
  private static final String TASK = "train-test";
  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private Lakehouse lakehouse;
  private double achievableTestAuroc;

  TrainerTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void writeFeatures() {
    config = SparkTestSession.testConfig(dir, "task.id=" + TASK, "task.train.rounds=60",
        "task.train.early-stopping-rounds=10", "task.train.search.trials=2");
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    achievableTestAuroc = SyntheticFeatures.write(spark, lakehouse, TASK, 4000, 3, 11);
  }

  @Test
  void xgboostComesCloseToTheBestAchievableAurocAndIsReproducible() throws Exception {
    BarrierTasks barrier = new BarrierTasks();
    spark.sparkContext().addSparkListener(barrier);
    Trainer.Result first;
    try {
      first = Trainer.train(spark, config);
    } finally {
      spark.sparkContext().removeSparkListener(barrier);
    }
    // Two search trials, each one barrier stage of two workers: local[2] has two task slots.
    assertThat(barrier.tasksPerStage).hasSizeGreaterThanOrEqualTo(2).containsOnly(2);
    JsonNode params = new ObjectMapper().readTree(
        new Registry(spark, lakehouse).get(first.modelId()).params());
    assertThat(params.get("partitions").asInt()).isEqualTo(2);
    assertThat(params.get("task_cpus").asInt()).isEqualTo(1);
    assertThat(achievableTestAuroc).isBetween(0.75, 0.9);
    assertThat(first.auroc().get("test")).isCloseTo(achievableTestAuroc, within(0.03));
    assertThat(first.auroc()).containsOnlyKeys("train", "validation", "test");

    Path booster = Path.of(new Registry(spark, lakehouse).get(first.modelId()).modelPath()
        .replace("file:", ""), "booster.ubj");
    byte[] firstModel = Files.readAllBytes(booster);
    Trainer.Result again = Trainer.train(spark, config);
    assertThat(again.modelId()).isEqualTo(first.modelId());
    assertThat(Files.readAllBytes(booster)).isEqualTo(firstModel);
    // The evaluator's sums may run in another order: equal to the last bits only.
    again.auroc().forEach((split, auroc) ->
        assertThat(auroc).isCloseTo(first.auroc().get(split), within(1e-12)));
    assertThat(new Registry(spark, lakehouse).list()).extracting(Registry.Entry::modelId)
        .containsOnlyOnce(first.modelId());

    List<Row> importance = lakehouse.read(Tables.REGISTRY_FEATURE_IMPORTANCE)
        .filter(col("model_id").equalTo(first.modelId())).orderBy(col("gain").desc())
        .collectAsList();
    assertThat(importance.get(0).<String>getAs("feature")).isEqualTo("x1");
  }

  /**
   * gold.features is written by a shuffle, so the same rows come back in another order from one
   * build to the next; the engines bin and sample in the order they are given, so without a
   * fixed order the same rows would give another model under the same id.
   */
  @Test
  void theSameRowsStoredInAnotherOrderGiveTheSameModel() throws Exception {
    // Enough rows and features that XGBoost's quantile sketch summarises rather than keeps
    // every value (at 4,000 rows of 3 features the order made no difference).
    FairgroveConfig stored = config.with(List.of("lakehouse.root="
        + dir.resolve("stored").resolve("lakehouse"), "task.train.search.trials=1"));
    Lakehouse first = new Lakehouse(spark, stored.lakehouse.root());
    SyntheticFeatures.write(spark, first, TASK, 40_000, 40, 11);
    FairgroveConfig reordered = stored.with(List.of("lakehouse.root="
        + dir.resolve("reordered").resolve("lakehouse")));
    Lakehouse other = new Lakehouse(spark, reordered.lakehouse.root());
    first.read(Tables.GOLD_FEATURES).orderBy(xxhash64(col("person_id"), lit(7)))
        .repartition(3).write().format("delta").save(other.location(Tables.GOLD_FEATURES));
    first.read(Tables.GOLD_FEATURE_DICTIONARY).write().format("delta")
        .save(other.location(Tables.GOLD_FEATURE_DICTIONARY));

    Trainer.Result here = Trainer.train(spark, stored);
    Trainer.Result there = Trainer.train(spark, reordered);
    assertThat(there.modelId()).isEqualTo(here.modelId());
    assertThat(java.util.Arrays.equals(booster(other, there), booster(first, here)))
        .as("the same booster, byte for byte").isTrue();
  }

  private static byte[] booster(Lakehouse lakehouse, Trainer.Result trained) throws Exception {
    return Files.readAllBytes(Path.of(new Registry(SparkSession.active(), lakehouse)
        .get(trained.modelId()).modelPath().replace("file:", ""), "booster.ubj"));
  }

  @Test
  void mllibGbtOnTheSameRowsAgreesWithXgboost() {
    Trainer.Result xgboost = Trainer.train(spark, config);
    Trainer.Result gbt = Trainer.train(spark,
        config.with(List.of("task.train.engine=mllib-gbt", "task.train.rounds=30")));
    assertThat(gbt.engine()).isEqualTo("mllib-gbt");
    assertThat(gbt.modelId()).isNotEqualTo(xgboost.modelId());
    assertThat(gbt.auroc().get("test")).isCloseTo(xgboost.auroc().get("test"), within(0.05));
  }

  @Test
  void promotingArchivesTheFormerChampion() {
    Registry registry = new Registry(spark, lakehouse);
    Trainer.Result first = Trainer.train(spark, config);
    Trainer.Result second = Trainer.train(spark,
        config.with(List.of("task.train.recalibrate=true")));
    registry.promote(first.modelId());
    registry.promote(second.modelId());
    assertThat(registry.get(first.modelId()).status()).isEqualTo(Registry.ARCHIVED);
    assertThat(registry.champion(TASK).orElseThrow().modelId()).isEqualTo(second.modelId());
    // The archived model keeps the time it was promoted; only the new champion gets a new one.
    assertThat(lakehouse.read(Tables.REGISTRY_MODELS).where("promoted_at IS NOT NULL").count())
        .isEqualTo(2);
  }

  /**
   * The id follows the training rows' content, not where they are stored: the same rows in
   * another lakehouse (other paths, same Delta versions) give the same id, and other rows whose
   * tables have the very same Delta versions give another.
   */
  @Test
  void theModelIdMeansOneModel() {
    String here = identity(config, lakehouse);
    FairgroveConfig sameData = SparkTestSession.testConfig(dir.resolve("same"), "task.id=" + TASK,
        "task.train.rounds=60", "task.train.early-stopping-rounds=10",
        "task.train.search.trials=2");
    Lakehouse same = new Lakehouse(spark, sameData.lakehouse.root());
    SyntheticFeatures.write(spark, same, TASK, 4000, 3, 11);
    FairgroveConfig otherData = sameData.with(List.of("lakehouse.root="
        + dir.resolve("other").resolve("lakehouse")));
    Lakehouse other = new Lakehouse(spark, otherData.lakehouse.root());
    SyntheticFeatures.write(spark, other, TASK, 4000, 3, 12);

    assertThat(sameData.lakehouse.root()).isNotEqualTo(config.lakehouse.root());
    assertThat(identity(sameData, same)).isEqualTo(here);
    assertThat(identity(otherData, other)).isNotEqualTo(here);
    assertThat(identity(config.with(List.of("run.seed=8")), lakehouse)).isNotEqualTo(here);
    assertThat(identity(config.with(List.of("task.train.rounds=61")), lakehouse))
        .isNotEqualTo(here);
    assertThat(identity(config, lakehouse, 1)).as("another worker count").isNotEqualTo(here);
  }

  private static String identity(FairgroveConfig config, Lakehouse lakehouse) {
    return identity(config, lakehouse, 2);
  }

  private static String identity(FairgroveConfig config, Lakehouse lakehouse, int partitions) {
    return Trainer.modelId(config, "xgboost", partitions, "dev",
        Trainer.fingerprint(Trainer.rows(lakehouse, TASK), TASK));
  }

  @Test
  void moreWorkersThanTaskSlotsFailBeforeTraining() {
    assertThatThrownBy(() -> Trainer.train(spark, config.with(List.of("task.train.workers=3"))))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("asks for 3 XGBoost workers, and the application has 2 task slot")
        .hasMessageContaining("Set task.train.workers to at most 2");
  }

  /** The number of tasks of each barrier stage (XGBoost trains in one per model). */
  private static final class BarrierTasks extends SparkListener {
    final List<Integer> tasksPerStage = new CopyOnWriteArrayList<>();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
      StageInfo stage = completed.stageInfo();
      if (CollectionConverters.asJava(stage.rddInfos()).stream().anyMatch(RDDInfo::isBarrier)) {
        tasksPerStage.add(stage.numTasks());
      }
    }
  }

  @Test
  void aSplitWithoutEventsIsAClearError() {
    FairgroveConfig other = SparkTestSession.testConfig(dir.resolve("empty"), "task.id=" + TASK);
    Lakehouse empty = new Lakehouse(spark, other.lakehouse.root());
    lakehouse.read(Tables.GOLD_FEATURES).withColumn("label", lit(0)).write()
        .format("delta").mode("overwrite").save(empty.location(Tables.GOLD_FEATURES));
    assertThatThrownBy(() -> Trainer.train(spark, other))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("The train split of task 'train-test' has no events.");
  }
}
