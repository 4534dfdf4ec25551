package org.fairgrove.pipeline.bench;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.validate.FairnessValidation;

/** Every benchmarked stage, in pipeline order (a stage reads what the ones before it wrote). */
public final class BenchStages {
  private BenchStages() {}

  public static List<BenchStage> all() {
    return List.of(new Synth(), new Validate());
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

  /**
   * Subgroup validation (the metric library: sums, ranks, calibration fits, the Poisson
   * bootstrap) of one synthetic prediction per person: risk = sigmoid(-1.5 + z), label drawn from
   * it, six attributes and race x sex (31 slices), governance.bootstrap-replicates replicates.
   * Synthetic predictions keep it independent of the stages before it; the report files it also
   * writes are small and do not grow with the population.
   */
  static final class Validate implements BenchStage {
    @Override
    public String name() {
      return "validate";
    }

    @Override
    public String unit() {
      return "predictions";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      long persons = config.synth.persons();
      Dataset<Row> predictions = spark.range(0, persons)
          .withColumn("z", randn(config.run.seed()))
          .withColumn("u", rand(config.run.seed() + 1))
          .withColumn("risk", lit(1).divide(lit(1).plus(exp(lit(1.5).minus(col("z"))))))
          .withColumn("label", when(col("u").lt(col("risk")), 1).otherwise(0))
          .withColumn("sex", when(col("id").mod(2).equalTo(0), "F").otherwise("M"))
          .withColumn("race", element_at(array(lit("White"), lit("White"), lit("Black"),
              lit("Asian"), lit("AIAN")), pmod(col("id").divide(2).cast("long"), lit(5))
              .plus(1).cast("int")))
          .withColumn("ethnicity", when(col("id").mod(7).equalTo(0), "Hispanic")
              .otherwise("NotHispanic"))
          .withColumn("age_band", element_at(array(lit("18-44"), lit("45-64"), lit("65-74"),
              lit("75-89")), pmod(col("id").divide(11).cast("long"), lit(4)).plus(1)
              .cast("int")))
          .withColumn("site_id", element_at(array(lit("S1"), lit("S2"), lit("S3")),
              pmod(col("id").divide(13).cast("long"), lit(3)).plus(1).cast("int")))
          .withColumn("payer", element_at(array(lit("Commercial"), lit("Medicare"),
              lit("Medicaid"), lit("Uninsured")), pmod(col("id").divide(17).cast("long"),
              lit(4)).plus(1).cast("int")));
      FairnessValidation.validate(predictions, "id", config);
      return persons;
    }
  }
}
