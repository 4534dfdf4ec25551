package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;

import java.util.Locale;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Logistic recalibration: risk' = sigmoid(intercept + slope * logit(risk)). */
record Recalibration(double intercept, double slope) {
  private static final double EPSILON = 1e-7;

  static Column logit(Column risk) {
    Column p = least(greatest(risk, lit(EPSILON)), lit(1 - EPSILON));
    return log(p.divide(lit(1).minus(p)));
  }

  /** Fits the recalibration on scored rows (label, risk), e.g. the validation split. */
  static Recalibration fit(Dataset<Row> scored) {
    Dataset<Row> input = new VectorAssembler().setInputCols(new String[] {"logit_risk"})
        .setOutputCol("logit_vector")
        .transform(scored.withColumn("logit_risk", logit(col("risk")))
            .withColumn("label", col("label").cast("double")));
    LogisticRegressionModel model = new LogisticRegression().setFeaturesCol("logit_vector")
        .setLabelCol("label").setRegParam(0).setMaxIter(100).fit(input);
    return new Recalibration(model.intercept(), model.coefficients().apply(0));
  }

  Column apply(Column risk) {
    return lit(1).divide(lit(1).plus(exp(lit(-intercept).minus(lit(slope).multiply(logit(risk))))));
  }

  String toJson() {
    return String.format(Locale.ROOT, "{\"intercept\":%.17g,\"slope\":%.17g}", intercept, slope);
  }

  static Recalibration fromJson(String json) {
    if (json == null) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode node =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
      return new Recalibration(node.get("intercept").asDouble(), node.get("slope").asDouble());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Unreadable recalibration in the registry: " + json, e);
    }
  }
}
