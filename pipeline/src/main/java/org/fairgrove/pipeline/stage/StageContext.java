package org.fairgrove.pipeline.stage;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;

/**
 * What every stage runs in: Spark, the configuration (its task), the lakehouse, the run it
 * belongs to, and what the stages before it in this run returned.
 */
public final class StageContext {
  private final SparkSession spark;
  private final FairgroveConfig config;
  private final Lakehouse lakehouse;
  private final String runId;
  private final Map<String, Map<String, String>> outputs = new HashMap<>();
  private final Map<String, Object> results = new HashMap<>();

  /** @param runId the nightly run, null for a run that is not recorded (the demo) */
  public StageContext(SparkSession spark, FairgroveConfig config, String runId) {
    this.spark = spark;
    this.config = config;
    this.lakehouse = new Lakehouse(spark, config.lakehouse.root());
    this.runId = runId;
  }

  public SparkSession spark() {
    return spark;
  }

  public FairgroveConfig config() {
    return config;
  }

  public Lakehouse lakehouse() {
    return lakehouse;
  }

  public String runId() {
    return runId;
  }

  /** Records a finished stage's outputs (also those of a stage finished by an earlier process). */
  void completed(String stage, Map<String, String> stageOutputs, Object result) {
    outputs.put(stage, Map.copyOf(stageOutputs));
    if (result != null) {
      results.put(stage, result);
    }
  }

  /** An output of an earlier stage of this run, e.g. the trained model's id. */
  public String output(String stage, String key) {
    Map<String, String> of = outputs.get(stage);
    if (of == null || !of.containsKey(key)) {
      throw new IllegalStateException("Stage " + stage + " has not recorded " + key
          + " in this run");
    }
    return of.get(key);
  }

  /**
   * The typed result of an earlier stage run in this process, null when it finished in an
   * earlier process (a resumed run): a stage may reuse it to save work, never depend on it.
   */
  public <R> R result(String stage, Class<R> type) {
    Object result = results.get(stage);
    return type.isInstance(result) ? type.cast(result) : null;
  }
}
