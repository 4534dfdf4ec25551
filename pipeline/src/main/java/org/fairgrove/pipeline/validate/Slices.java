package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.omop.Demographics;

/**
 * Slicing of the predictions: every row belongs to the overall slice, to one group of each
 * attribute and to one group of each intersection. The exploded form (one row per prediction and
 * dimension, so a constant factor more rows) lets every per-slice metric be one groupBy.
 */
final class Slices {
  static final String ATTRIBUTE = "slice_attribute";
  static final String GROUP = "slice_group";
  static final String LABEL = "label";
  static final String RISK = "risk";
  static final String KEY = "row_key";

  private Slices() {}

  /** The group label of every dimension, in a fixed order: overall, attributes, intersections. */
  static Map<String, Column> groupLabels(GovernanceSettings policy) {
    Map<String, Column> labels = new LinkedHashMap<>();
    labels.put(SliceKey.OVERALL, lit(SliceKey.ALL));
    for (String attribute : policy.attributes()) {
      labels.put(attribute, attributeLabel(attribute));
    }
    for (List<String> parts : policy.intersections()) {
      Column[] partLabels = parts.stream().map(Slices::attributeLabel).toArray(Column[]::new);
      labels.put(GovernanceSettings.intersectionName(parts),
          concat_ws(GovernanceSettings.INTERSECTION, partLabels));
    }
    return labels;
  }

  private static Column attributeLabel(String attribute) {
    // A missing attribute value is a group of its own, never dropped.
    return coalesce(col(attribute).cast("string"), lit(Demographics.UNKNOWN));
  }

  /** Fails with a clear message unless the predictions have every column validation reads. */
  static void checkColumns(Dataset<Row> predictions, String keyColumn,
      GovernanceSettings policy) {
    List<String> present = Arrays.asList(predictions.columns());
    List<String> needed = new ArrayList<>(List.of(LABEL, RISK, keyColumn));
    needed.addAll(policy.attributes());
    for (String column : needed) {
      if (!present.contains(column)) {
        throw Errors.predictionColumnMissing(column, present);
      }
    }
  }

  /**
   * The core columns (row_key, label as int, risk as double) and, per dimension, one column
   * holding the row's group label, named after the dimension.
   */
  static Dataset<Row> labelled(Dataset<Row> predictions, String keyColumn,
      GovernanceSettings policy, Column... carried) {
    List<Column> columns = new ArrayList<>(List.of(
        col(keyColumn).cast("long").as(KEY),
        col(LABEL).cast("int").as(LABEL),
        col(RISK).cast("double").as(RISK)));
    columns.addAll(List.of(carried));
    groupLabels(policy).forEach((dimension, label) -> columns.add(label.as(dimension)));
    return predictions.select(columns.toArray(Column[]::new));
  }

  /**
   * One row per prediction and dimension: slice_attribute, slice_group, row_key, label, risk and
   * the carried columns.
   */
  static Dataset<Row> exploded(Dataset<Row> labelled, GovernanceSettings policy,
      String... carried) {
    Column[] perDimension = groupLabels(policy).keySet().stream()
        .map(d -> struct(lit(d).as(ATTRIBUTE), col(d).as(GROUP)))
        .toArray(Column[]::new);
    List<Column> kept = new ArrayList<>(List.of(col(KEY), col(LABEL), col(RISK)));
    Arrays.stream(carried).map(c -> col(c)).forEach(kept::add);
    List<Column> inner = new ArrayList<>(kept);
    inner.add(explode(array(perDimension)).as("slice"));
    List<Column> outer = new ArrayList<>(List.of(col("slice." + ATTRIBUTE).as(ATTRIBUTE),
        col("slice." + GROUP).as(GROUP)));
    outer.addAll(kept);
    return labelled.select(inner.toArray(Column[]::new)).select(outer.toArray(Column[]::new));
  }

  static SliceKey key(Row row) {
    return new SliceKey(row.getAs(ATTRIBUTE), row.getAs(GROUP));
  }
}
