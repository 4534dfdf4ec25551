package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.config.OperatingPointKind;
import org.fairgrove.pipeline.config.TaskSettings;

/**
 * A task's operating points as risk thresholds: given ones as they are, selection rates and
 * sensitivities set on scored rows (the validation split when training; the evaluated rows for
 * predictions made elsewhere). Frozen with the model as JSON in registry.models.
 */
public final class OperatingPoints {
  private OperatingPoints() {}

  /** One operating point: how it was stated and the risk threshold it became. */
  public record Point(OperatingPointKind kind, double value, double threshold) {
    public String label() {
      return kind.label(value);
    }
  }

  /**
   * The thresholds of the task's operating points on scored rows (label, risk). Selection rate q:
   * the highest risk r at which at least q of the rows have risk >= r. Sensitivity s: the
   * highest r at which at least s of the events have risk >= r. One aggregation over the
   * distinct risks (their running counts from the top), nothing per row on the driver.
   */
  public static List<Point> set(TaskSettings.OperatingPoints settings, Dataset<Row> scored) {
    OperatingPointKind kind = settings.kind();
    List<Point> out = new ArrayList<>();
    if (!kind.setOnData()) {
      settings.values().forEach(v -> out.add(new Point(kind, v, v)));
      return out;
    }
    WindowSpec fromTop = Window.orderBy(col("risk").desc())
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Dataset<Row> cumulative = scored.groupBy("risk")
        .agg(count(lit(1)).as("rows"), sum(col("label").cast("long")).as("events"))
        .withColumn("rows_at_or_above", sum("rows").over(fromTop))
        .withColumn("events_at_or_above", sum("events").over(fromTop))
        .withColumn("total_rows", sum("rows").over(Window.partitionBy()))
        .withColumn("total_events", sum("events").over(Window.partitionBy()));
    Column reached = kind == OperatingPointKind.SELECTION_RATE
        ? col("rows_at_or_above").divide(col("total_rows"))
        : col("events_at_or_above").divide(col("total_events"));
    List<Column> thresholds = new ArrayList<>();
    for (double value : settings.values()) {
      thresholds.add(max(when(reached.geq(value), col("risk"))));
    }
    Row row = cumulative.agg(thresholds.get(0), thresholds.subList(1, thresholds.size())
        .toArray(Column[]::new)).first();
    for (int i = 0; i < settings.values().size(); i++) {
      // No risk reaches the point (e.g. no events for a sensitivity): select everyone.
      double threshold = row.isNullAt(i) ? 0.0 : row.getDouble(i);
      out.add(new Point(kind, settings.values().get(i), threshold));
    }
    return out;
  }

  public static String toJson(List<Point> points) {
    ObjectMapper json = new ObjectMapper();
    ArrayNode array = json.createArrayNode();
    points.forEach(p -> array.addObject().put("kind", p.kind().configName())
        .put("value", p.value()).put("threshold", p.threshold()));
    return array.toString();
  }

  /** The points frozen with a model; empty for a model registered before operating points. */
  public static List<Point> fromJson(String text) {
    List<Point> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    try {
      for (JsonNode node : new ObjectMapper().readTree(text)) {
        OperatingPointKind kind =
            Choice.named(OperatingPointKind.class, node.get("kind").asText());
        out.add(new Point(kind, node.get("value").asDouble(), node.get("threshold").asDouble()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Unreadable operating points in the registry: " + text, e);
    }
    return out;
  }
}
