package org.fairgrove.pipeline.validate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.train.OperatingPoints;

/** Tiny prediction tables for the validation tests: one attribute, "group". */
final class Fixtures {
  static final StructType SCHEMA = new StructType()
      .add("row_key", DataTypes.LongType, false)
      .add("label", DataTypes.IntegerType, false)
      .add("risk", DataTypes.DoubleType, false)
      .add("group", DataTypes.StringType, true);

  private Fixtures() {}

  /** A prediction: label, risk, group. */
  record Prediction(int label, double risk, String group) {}

  static Dataset<Row> frame(SparkSession spark, List<Prediction> predictions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < predictions.size(); i++) {
      Prediction p = predictions.get(i);
      rows.add(RowFactory.create((long) i, p.label(), p.risk(), p.group()));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** Rows of one group: positives' risks and negatives' risks. */
  static List<Prediction> group(String group, double[] positives, double[] negatives) {
    List<Prediction> out = new ArrayList<>();
    for (double r : positives) {
      out.add(new Prediction(1, r, group));
    }
    for (double r : negatives) {
      out.add(new Prediction(0, r, group));
    }
    return out;
  }

  /** The test configuration slicing by "group" only, with extra --set overrides. */
  static FairgroveConfig config(String... sets) {
    List<String> all = new ArrayList<>(List.of(
        "governance.attributes=[\"group\"]",
        "governance.intersections=[]",
        "task.operating-points.kind=risk",
        "task.operating-points.values=[0.5]",
        "governance.net-benefit.from=0.2",
        "governance.net-benefit.to=0.5",
        "governance.net-benefit.step=0.3",
        "governance.bootstrap-replicates=200",
        "governance.small-cell-threshold=1",
        "governance.minimum-group-size=1"));
    all.addAll(List.of(sets));
    return SparkTestSession.testConfig(Path.of(System.getProperty("java.io.tmpdir")),
        all.toArray(String[]::new));
  }

  /**
   * One evaluation set validated and decided as a report of its own, at the configured
   * operating points (selection rates and sensitivities set on the predictions themselves).
   */
  static ValidationResult validate(Dataset<Row> predictions, String key, FairgroveConfig config) {
    ValidationResult result = FairnessValidation.validate(predictions, key, config.governance,
        OperatingPoints.set(config.task.operatingPoints(), predictions), config.run.seed());
    return Verdicts.decide(List.of(result), config.governance).get(0);
  }

  static SliceVerdict verdict(ValidationResult result, String attribute, String group) {
    return result.verdicts().stream()
        .filter(v -> v.slice().equals(new SliceKey(attribute, group))).findFirst().orElseThrow();
  }

  static double value(ValidationResult result, String attribute, String group, String metric,
      Double threshold) {
    return row(result, attribute, group, metric, threshold).value();
  }

  static MetricRow row(ValidationResult result, String attribute, String group, String metric,
      Double threshold) {
    return result.metrics().stream()
        .filter(r -> r.attribute().equals(attribute) && r.group().equals(group)
            && r.metric().equals(metric) && java.util.Objects.equals(r.threshold(), threshold))
        .findFirst().orElseThrow(() -> new AssertionError("no row " + group + " " + metric));
  }
}
