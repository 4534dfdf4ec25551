package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.DeltaFixture;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on a sparse feature table whose true risk is known: label ~ Bernoulli(sigmoid(-2 +
 * 1.5 x1 + x2)) with x1 zero for half the rows, x2 missing (NaN) for a fifth, x3 pure noise. The best achievable AUROC is that of the
 * true risk itself, computed on the same test rows.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerTest {
  private static final String TASK = "train-test";
  private static final UserDefinedFunction SPARSE = udf(
      (UDF1<Vector, Vector>) Vector::toSparse, SQLDataTypes.VectorType());

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
    Dataset<Row> rows = spark.range(0, 4000, 1, 2)
        // Half the x1 values are 0: left out of the sparse vectors the features table holds.
        .withColumn("x1", greatest(randn(11), lit(0.0)).multiply(2))
        .withColumn("x2", randn(12))
        .withColumn("x3", randn(13))
        .withColumn("true_risk", lit(1).divide(lit(1).plus(
            exp(lit(2.0).minus(col("x1").multiply(1.5)).minus(col("x2"))))))
        .withColumn("label", when(rand(14).lt(col("true_risk")), 1).otherwise(0))
        .withColumn("split", when(col("id").mod(10).lt(6), "train")
            .when(col("id").mod(10).lt(8), "validation").otherwise("test"))
        .withColumn("x2_seen", when(rand(15).lt(0.2), Double.NaN).otherwise(col("x2")));
    achievableTestAuroc = Trainer.auroc(rows.filter("split = 'test'")
        .withColumnRenamed("true_risk", "risk"));
    Dataset<Row> features = rows.select(lit(TASK).as("task_id"), col("id").as("person_id"),
        lit(java.sql.Date.valueOf("2020-01-01")).as("index_date"), col("label"), col("split"),
        SPARSE.apply(functions.array_to_vector(array(col("x1"), col("x2_seen"), col("x3"))))
            .as("features"),
        lit("hash-1").as("dictionary_hash"));
    features.write().format("delta").mode("overwrite")
        .save(lakehouse.location(Tables.GOLD_FEATURES));
    features.select("task_id", "person_id", "index_date", "label", "split").write()
        .format("delta").mode("overwrite").save(lakehouse.location(Tables.GOLD_COHORT));
    DeltaFixture dictionary = DeltaFixture.table(spark,
        "task_id STRING, slot INT, name STRING, dictionary_hash STRING");
    for (int slot = 0; slot < 3; slot++) {
      dictionary.row(TASK, slot, "x" + (slot + 1), "hash-1");
    }
    dictionary.writeTo(lakehouse, Tables.GOLD_FEATURE_DICTIONARY);
  }

  @Test
  void xgboostComesCloseToTheBestAchievableAurocAndIsReproducible() throws Exception {
    Trainer.Result first = Trainer.train(spark, config);
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

    List<Row> importance = lakehouse.read(Tables.REGISTRY_FEATURE_IMPORTANCE, "train")
        .filter(col("model_id").equalTo(first.modelId())).orderBy(col("gain").desc())
        .collectAsList();
    assertThat(importance.get(0).<String>getAs("feature")).isEqualTo("x1");
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
  void promoteScoreAndExportRiskAssessments() throws Exception {
    Registry registry = new Registry(spark, lakehouse);
    Trainer.Result first = Trainer.train(spark, config);
    Trainer.Result second = Trainer.train(spark,
        config.with(List.of("task.train.recalibrate=true")));
    registry.promote(first.modelId());
    registry.promote(second.modelId());
    assertThat(registry.get(first.modelId()).status()).isEqualTo(Registry.ARCHIVED);
    assertThat(registry.champion(TASK).orElseThrow().modelId()).isEqualTo(second.modelId());

    Path fhir = dir.resolve("fhir");
    Scoring.Result scored = Scoring.score(spark, config, LocalDate.of(2021, 1, 1), null,
        fhir.toString());
    assertThat(scored.rows()).isEqualTo(4000);
    Scoring.score(spark, config, LocalDate.of(2021, 1, 1), null, null);
    Dataset<Row> predictions = lakehouse.read(Tables.GOLD_PREDICTIONS, "score");
    assertThat(predictions.count()).isEqualTo(4000);
    assertThat(predictions.filter("risk < 0 OR risk > 1 OR size(top_features) <> 3").count())
        .isZero();
    String line;
    try (Stream<Path> files = Files.list(fhir)) {
      Path part = files.filter(p -> p.getFileName().toString().startsWith("part-")
          && Files.isRegularFile(p)).filter(p -> {
            try {
              return Files.size(p) > 0;
            } catch (java.io.IOException e) {
              return false;
            }
          }).findFirst().orElseThrow();
      line = Files.readAllLines(part).get(0);
    }
    assertThat(line).startsWith("{\"resourceType\":\"RiskAssessment\"")
        .contains("\"subject\":{\"reference\":\"Patient/")
        .contains(second.modelId())
        .contains("\"whenRange\":{\"low\":{\"value\":1,\"unit\":\"d\"}");
  }

  @Test
  void aSplitWithoutEventsIsAClearError() {
    FairgroveConfig other = SparkTestSession.testConfig(dir.resolve("empty"), "task.id=" + TASK);
    Lakehouse empty = new Lakehouse(spark, other.lakehouse.root());
    lakehouse.read(Tables.GOLD_FEATURES, "test").withColumn("label", lit(0)).write()
        .format("delta").mode("overwrite").save(empty.location(Tables.GOLD_FEATURES));
    assertThatThrownBy(() -> Trainer.train(spark, other))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("The train split of task 'train-test' has no events.");
  }
}
