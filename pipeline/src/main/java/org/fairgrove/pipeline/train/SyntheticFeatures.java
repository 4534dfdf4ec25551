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

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * A feature table whose true risk is known, in the shape gold.features has (sparse vectors),
 * for training tests and the training benchmark: label ~ Bernoulli(sigmoid(-2 + 1.5 x1 + x2)),
 * x1 zero for half the rows (left out of the sparse vector), x2 missing (NaN) for a fifth, and
 * the remaining features pure noise. Splits: 60% train, 20% validation, 20% test.
 */
public final class SyntheticFeatures {
  private static final UserDefinedFunction SPARSE =
      udf((UDF1<Vector, Vector>) Vector::toSparse, SQLDataTypes.VectorType());

  private SyntheticFeatures() {}

  /**
   * Writes gold.features, gold.cohort and gold.feature_dictionary for the task and returns the
   * AUROC the true risk reaches on the test rows (the best a model can approach).
   */
  public static double write(SparkSession spark, Lakehouse lakehouse, String taskId, long rows,
      int features, long seed) {
    Dataset<Row> generated = spark.range(0, rows, 1, Math.max(2, (int) (rows / 250_000)))
        .withColumn("x1", greatest(randn(seed), lit(0.0)).multiply(2))
        .withColumn("x2", randn(seed + 1))
        .withColumn("true_risk", lit(1).divide(lit(1).plus(
            exp(lit(2.0).minus(col("x1").multiply(1.5)).minus(col("x2"))))))
        .withColumn("label", when(rand(seed + 2).lt(col("true_risk")), 1).otherwise(0))
        .withColumn("split", when(col("id").mod(10).lt(6), "train")
            .when(col("id").mod(10).lt(8), "validation").otherwise("test"))
        .withColumn("x2_seen", when(rand(seed + 3).lt(0.2), Double.NaN).otherwise(col("x2")));
    List<Column> slots = new ArrayList<>(List.of(col("x1"), col("x2_seen")));
    for (int noise = 3; noise <= features; noise++) {
      slots.add(randn(seed + 10 + noise));
    }
    double achievable = Trainer.auroc(generated.filter(col("split").equalTo("test"))
        .withColumnRenamed("true_risk", "risk"));
    Dataset<Row> table = generated.select(lit(taskId).as("task_id"), col("id").as("person_id"),
        lit("S1").as("site_id"), lit(java.sql.Date.valueOf("2020-01-01")).as("index_date"),
        col("label"), lit(null).cast("date").as("outcome_date"),
        lit(null).cast("string").as("sex"), lit(null).cast("string").as("race"),
        lit(null).cast("string").as("ethnicity"), lit(null).cast("int").as("age"),
        lit(null).cast("string").as("age_band"), lit(null).cast("string").as("payer"),
        col("split"),
        SPARSE.apply(functions.array_to_vector(array(slots.toArray(Column[]::new))))
            .as("features"),
        lit("synthetic-" + features).as("dictionary_hash"));
    lakehouse.write(Tables.GOLD_FEATURES, table, taskId);
    lakehouse.write(Tables.GOLD_COHORT, table, taskId);
    List<Row> dictionary = new ArrayList<>();
    for (int slot = 0; slot < features; slot++) {
      dictionary.add(RowFactory.create(taskId, slot, "x" + (slot + 1), null, null, null, null,
          null, null, null, "synthetic-" + features, false));
    }
    lakehouse.write(Tables.GOLD_FEATURE_DICTIONARY, dictionary, taskId, "synthetic-" + features);
    return achievable;
  }
}
