package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.train.Recalibration;
import org.fairgrove.pipeline.train.Registry;

/**
 * What the report and model card say about a registered model beyond the metrics: whether
 * protected attributes are inputs, the most important features, the development data's size
 * and years, and the AUROC the trainer recorded per split. Aggregates only.
 */
final class ReportFacts {
  static final int TOP_FEATURES = 10;

  private ReportFacts() {}

  static ValidationReport.Model model(Lakehouse lakehouse, Registry.Entry model,
      boolean thresholdsFrozen) {
    Boolean protectedInputs = null;
    if (lakehouse.exists(Tables.GOLD_FEATURE_DICTIONARY)) {
      List<Row> flags = lakehouse.read(Tables.GOLD_FEATURE_DICTIONARY)
          .filter(col("task_id").equalTo(model.taskId())
              .and(col(Features.DICTIONARY_HASH_COLUMN).equalTo(model.dictionaryHash())))
          .select("protected_attributes_as_inputs").distinct().collectAsList();
      protectedInputs = flags.size() == 1 && !flags.get(0).isNullAt(0)
          ? flags.get(0).getBoolean(0) : null;
    }
    List<Map.Entry<String, Double>> top = new ArrayList<>();
    if (lakehouse.exists(Tables.REGISTRY_FEATURE_IMPORTANCE)) {
      lakehouse.read(Tables.REGISTRY_FEATURE_IMPORTANCE)
          .filter(col("model_id").equalTo(model.modelId()))
          .orderBy(col("gain").desc(), col("feature")).limit(TOP_FEATURES)
          .select("feature", "share").collectAsList()
          .forEach(r -> top.add(Map.entry(r.getString(0), r.getDouble(1))));
    }
    return new ValidationReport.Model(model.modelId(), model.modelId(), model.codeVersion(),
        "Fairgrove", model.engine(), model.status(), model.codeVersion(),
        model.dictionaryHash(), isFitted(model), protectedInputs, top, false,
        thresholdsFrozen ? "the validation split, frozen with the model at training"
            : "the validation split, at validation (the model predates frozen thresholds)");
  }

  /** Recalibrated by a fit on the validation split (not merely a class-weight correction). */
  private static boolean isFitted(Registry.Entry model) {
    Recalibration recalibration = Recalibration.fromJson(model.recalibration());
    return recalibration != null && Recalibration.FITTED.equals(recalibration.method());
  }

  /** The training split's size and index years, and the AUROC recorded at training. */
  static ValidationReport.Development development(Registry.Entry model,
      Dataset<Row> features) {
    Row sizes = features.filter(col("split").equalTo(Splits.TRAIN))
        .agg(count(lit(1)), sum(col("label").cast("long")), min(col("index_date")),
            max(col("index_date"))).first();
    int[] years = sizes.isNullAt(2) ? null : new int[] {
        sizes.getDate(2).toLocalDate().getYear(), sizes.getDate(3).toLocalDate().getYear()};
    Map<String, Double> auroc = new LinkedHashMap<>();
    try {
      JsonNode node = new ObjectMapper().readTree(model.metrics()).path("auroc");
      node.fields().forEachRemaining(e -> auroc.put(e.getKey(), e.getValue().asDouble()));
    } catch (IOException e) {
      // The registry row was written by the trainer; unreadable metrics only lose this line.
    }
    return new ValidationReport.Development(sizes.getLong(0),
        sizes.isNullAt(1) ? 0 : sizes.getLong(1), years, auroc);
  }
}
