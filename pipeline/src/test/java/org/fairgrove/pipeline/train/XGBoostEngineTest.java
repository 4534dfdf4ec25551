package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gold.features leaves zeros out of its sparse vectors. XGBoost must learn from and score those
 * rows as the same rows written densely: a zero left out is a zero, not a missing value.
 */
@ExtendWith(SparkTestSession.class)
class XGBoostEngineTest {
  private static final int ROWS = 2000;
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("label", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());

  @TempDir static Path dir;

  @Test
  void sparseRowsTrainAndScoreAsTheirDenseForm(SparkSession spark) throws Exception {
    TaskSettings.Train settings = SparkTestSession.testConfig(dir, "task.train.rounds=20",
        "task.train.early-stopping-rounds=5").task.train();
    Engine engine = new XGBoostEngine();
    Engine.Trial trial = new Engine.Trial(3, 0.3, 1.0);

    Engine.Model fromSparse = engine.fit(trainingSet(spark, true), trial, settings, 5);
    Engine.Model fromDense = engine.fit(trainingSet(spark, false), trial, settings, 5);
    fromSparse.save(dir.resolve("sparse").toString());
    fromDense.save(dir.resolve("dense").toString());
    assertThat(Files.readAllBytes(dir.resolve("sparse/booster.ubj")))
        .as("the same booster, byte for byte")
        .isEqualTo(Files.readAllBytes(dir.resolve("dense/booster.ubj")));

    List<Row> sparseRisks = risks(fromSparse, rows(spark, 0, true));
    assertThat(sparseRisks).hasSize(ROWS).isEqualTo(risks(fromSparse, rows(spark, 0, false)));
    // Not so by chance: the model sends a missing x0 and x1 elsewhere than their zeros.
    List<Row> zeroOrMissing = List.of(
        RowFactory.create(0, 0, Vectors.sparse(3, new int[] {2}, new double[] {1})),
        RowFactory.create(1, 0, Vectors.dense(Double.NaN, Double.NaN, 1)));
    List<Row> risks = risks(fromSparse, spark.createDataFrame(zeroOrMissing, SCHEMA));
    assertThat(risks.get(0).getDouble(1)).isNotEqualTo(risks.get(1).getDouble(1));
  }

  private static Engine.TrainingSet trainingSet(SparkSession spark, boolean sparse) {
    Dataset<Row> train = rows(spark, 0, sparse);
    Dataset<Row> validation = rows(spark, 1, sparse);
    long events = train.filter(col("label").equalTo(1)).count();
    return new Engine.TrainingSet(train, validation, events, ROWS - events, 1.0, 2);
  }

  private static List<Row> risks(Engine.Model model, Dataset<Row> rows) {
    return model.predict(rows, false).select("id", "risk").orderBy("id").collectAsList();
  }

  /**
   * Rows whose outcome depends on whether x0 (zero or positive) and x1 (zero or negative) are
   * zero, so a zero sits on either side of a split, and x2 is missing (NaN) for a fifth of them.
   * Sparse vectors leave the zeros out and keep the NaN, as gold.features does.
   */
  private static Dataset<Row> rows(SparkSession spark, int offset, boolean sparse) {
    List<Row> rows = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      int n = i + offset;
      double x0 = n % 2 == 0 ? 0 : 1 + n % 5;
      double x1 = n % 3 == 0 ? 0 : -1 - n % 4;
      double x2 = n % 5 == 0 ? Double.NaN : n % 11;
      int label = (x0 == 0 && n % 7 != 0) || (x1 == 0 && n % 4 == 0) || n % 17 == 0 ? 1 : 0;
      double[] values = {x0, x1, x2};
      Vector features = sparse ? Vectors.dense(values).toSparse() : Vectors.dense(values);
      rows.add(RowFactory.create(n, label, features));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2, col("id"))
        .sortWithinPartitions("id");
  }
}
