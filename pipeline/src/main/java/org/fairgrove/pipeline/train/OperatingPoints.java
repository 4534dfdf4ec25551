package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
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
   * the highest risk r at which at least q of the rows have risk >= r, which is the k-th highest
   * risk for the least k with k / rows >= q. Sensitivity s: the same over the events' risks.
   * The ranks are read off a distributed sort; nothing per row comes to the driver and no step
   * runs in a single partition.
   */
  public static List<Point> set(TaskSettings.OperatingPoints settings, Dataset<Row> scored) {
    OperatingPointKind kind = settings.kind();
    List<Point> out = new ArrayList<>();
    if (!kind.setOnData()) {
      settings.values().forEach(v -> out.add(new Point(kind, v, v)));
      return out;
    }
    Dataset<Row> ranked = (kind == OperatingPointKind.SELECTION_RATE ? scored
        : scored.filter(col("label").equalTo(1))).select(col("risk").cast("double"))
        .persist(StorageLevel.MEMORY_AND_DISK()); // one column, read by the count and the sort
    List<Long> ranks;
    Map<Long, Double> riskAt;
    try {
      long total = ranked.count();
      ranks = settings.values().stream().map(v -> rankReaching(v, total)).toList();
      riskAt = riskAtRanks(ranked, ranks);
    } finally {
      ranked.unpersist();
    }
    for (int i = 0; i < ranks.size(); i++) {
      // No rank reaches the point (e.g. no events for a sensitivity): select everyone.
      out.add(new Point(kind, settings.values().get(i), riskAt.getOrDefault(ranks.get(i), 0.0)));
    }
    return out;
  }

  /** The least rank k in 1..total with k / total >= share, compared as doubles; 0 if none. */
  static long rankReaching(double share, long total) {
    long k = Math.max(1, (long) Math.ceil(share * total));
    while (k > 1 && (double) (k - 1) / total >= share) {
      k--;
    }
    while (k <= total && (double) k / total < share) {
      k++;
    }
    return k <= total ? k : 0;
  }

  /** The k-th highest risk (1-based, ties counted) for each wanted rank. */
  private static Map<Long, Double> riskAtRanks(Dataset<Row> risks, List<Long> ranks) {
    Set<Long> wanted = new HashSet<>();
    ranks.stream().filter(k -> k > 0).forEach(k -> wanted.add(k - 1));
    Map<Long, Double> riskAt = new HashMap<>();
    if (wanted.isEmpty()) {
      return riskAt;
    }
    risks.orderBy(col("risk").desc()).javaRDD().zipWithIndex()
        .filter(indexed -> wanted.contains(indexed._2()))
        .collect().forEach(indexed -> riskAt.put(indexed._2() + 1, indexed._1().getDouble(0)));
    return riskAt;
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
