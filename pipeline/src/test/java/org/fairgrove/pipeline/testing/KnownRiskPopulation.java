package org.fairgrove.pipeline.testing;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * Feature tables whose risk model is known, for validation and gate tests: label ~
 * Bernoulli(sigmoid(-2 + 1.5 x1 + x2)), x3 noise, attributes independent of the risk. Sites S1
 * and S2 give train (55%), validation (15%) and test (30%); S3 is external.
 */
public final class KnownRiskPopulation {
  private KnownRiskPopulation() {}

  public static Dataset<Row> rows(SparkSession spark, long rows) {
    return spark.range(0, rows, 1, 2)
        .withColumn("x1", randn(21))
        .withColumn("x2", randn(22))
        .withColumn("x3", randn(23))
        .withColumn("true_risk", lit(1).divide(lit(1).plus(
            exp(lit(2.0).minus(col("x1").multiply(1.5)).minus(col("x2"))))))
        .withColumn("label", when(rand(24).lt(col("true_risk")), 1).otherwise(0))
        .withColumn("u", rand(25))
        // Each draw is a column first: a rand() inside a CASE branch only advances when reached.
        .withColumn("u_sex", rand(26)).withColumn("u_race", rand(27))
        .withColumn("u_ethnicity", rand(28)).withColumn("u_age", rand(29))
        .withColumn("u_payer", rand(30))
        .withColumn("sex", when(col("u_sex").lt(0.5), "F").otherwise("M"))
        .withColumn("race", pick(col("u_race"), "White", 0.55, "Black", 0.8, "Asian", 0.95,
            "AIAN"))
        .withColumn("ethnicity", when(col("u_ethnicity").lt(0.2), "Hispanic")
            .otherwise("NotHispanic"))
        .withColumn("age_band", pick(col("u_age"), "18-44", 0.35, "45-64", 0.7, "65-74", 0.88,
            "75-89"))
        .withColumn("payer", pick(col("u_payer"), "Commercial", 0.5, "Medicare", 0.75,
            "Medicaid", 0.92, "Uninsured"))
        .withColumn("site_id", when(col("id").mod(20).lt(9), "S1")
            .when(col("id").mod(20).lt(17), "S2").otherwise("S3"))
        .withColumn("split", when(col("site_id").equalTo("S3"), "external")
            .when(col("u").lt(0.55), "train").when(col("u").lt(0.7), "validation")
            .otherwise("test"));
  }

  private static Column pick(Column u, String first, double p1, String second, double p2,
      String third, double p3, String rest) {
    return when(u.lt(p1), first).when(u.lt(p2), second).when(u.lt(p3), third).otherwise(rest);
  }

  /**
   * Writes the rows as the task's gold.features and gold.cohort, the named columns as the
   * feature vector, with a dictionary naming them.
   */
  public static void write(SparkSession spark, Lakehouse lakehouse, String task,
      Dataset<Row> rows, List<String> features, String dictionaryHash) {
    Dataset<Row> table = rows.select(lit(task).as("task_id"), col("id").as("person_id"),
        lit(java.sql.Date.valueOf("2020-01-01")).as("index_date"), col("split"), col("label"),
        col("site_id"), col("sex"), col("race"), col("ethnicity"), lit(50).as("age"),
        col("age_band"), col("payer"),
        functions.array_to_vector(array(features.stream().map(c -> col(c))
            .toArray(Column[]::new))).as("features"),
        lit(dictionaryHash).as("dictionary_hash"),
        lit(null).cast("date").as("outcome_date"));
    lakehouse.write(Tables.GOLD_FEATURES, table, task);
    lakehouse.write(Tables.GOLD_COHORT, table, task);
    DeltaFixture dictionary = DeltaFixture.contract(spark, "gold/feature_dictionary");
    for (int slot = 0; slot < features.size(); slot++) {
      dictionary.with("task_id", task, "slot", slot, "name", features.get(slot),
          "dictionary_hash", dictionaryHash, "protected_attributes_as_inputs", false);
    }
    lakehouse.write(Tables.GOLD_FEATURE_DICTIONARY, dictionary.dataset(), task,
        dictionaryHash);
  }
}
