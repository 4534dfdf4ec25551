package org.fairgrove.pipeline.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.fairgrove.pipeline.train.Registry;

/**
 * What the model card says about the model beyond the metrics: whether protected attributes are
 * inputs, the most important features, the development data's size and years, and the AUROC the
 * trainer recorded per split. Aggregates only.
 */
record ReportFacts(Boolean protectedAttributesAsInputs, List<Map.Entry<String, Double>>
    topFeatures, long developmentRows, long developmentEvents, int[] developmentYears,
    Map<String, Double> trainingAuroc) {
  static final int TOP_FEATURES = 10;

  static ReportFacts read(Lakehouse lakehouse, Registry.Entry model, Dataset<Row> features) {
    Boolean protectedInputs = null;
    if (lakehouse.exists(Tables.GOLD_FEATURE_DICTIONARY)) {
      Dataset<Row> dictionary = lakehouse.read(Tables.GOLD_FEATURE_DICTIONARY, "features")
          .filter(col("task_id").equalTo(model.taskId())
              .and(col(Features.DICTIONARY_HASH_COLUMN).equalTo(model.dictionaryHash())));
      if (java.util.Arrays.asList(dictionary.columns()).contains("protected_attributes_as_inputs")) {
        List<Row> flags = dictionary.select("protected_attributes_as_inputs").distinct()
            .collectAsList();
        protectedInputs = flags.size() == 1 && !flags.get(0).isNullAt(0) ? flags.get(0)
            .getBoolean(0) : null;
      }
    }
    List<Map.Entry<String, Double>> top = new ArrayList<>();
    if (lakehouse.exists(Tables.REGISTRY_FEATURE_IMPORTANCE)) {
      lakehouse.read(Tables.REGISTRY_FEATURE_IMPORTANCE, "train")
          .filter(col("model_id").equalTo(model.modelId()))
          .orderBy(col("gain").desc(), col("feature")).limit(TOP_FEATURES)
          .select("feature", "share").collectAsList()
          .forEach(r -> top.add(Map.entry(r.getString(0), r.getDouble(1))));
    }
    Dataset<Row> development = features.filter(col("split").equalTo(Splits.TRAIN));
    Row sizes = development.agg(count(lit(1)), sum(col("label").cast("long"))).first();
    Map<String, Double> auroc = new LinkedHashMap<>();
    try {
      JsonNode node = new ObjectMapper().readTree(model.metrics()).path("auroc");
      node.fields().forEachRemaining(e -> auroc.put(e.getKey(), e.getValue().asDouble()));
    } catch (java.io.IOException e) {
      // The registry row was written by the trainer; unreadable metrics only lose this line.
    }
    return new ReportFacts(protectedInputs, top, sizes.getLong(0),
        sizes.isNullAt(1) ? 0 : sizes.getLong(1), ValidationRun.years(development), auroc);
  }
}
