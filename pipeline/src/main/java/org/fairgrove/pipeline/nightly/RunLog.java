package org.fairgrove.pipeline.nightly;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.stage.Stage;

/** ops.nightly_runs: what a run recorded, written stage by stage as each one ends. */
final class RunLog {
  static final String RUN = "run";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final Lakehouse lakehouse;
  private final String runId;
  private final String taskId;

  RunLog(SparkSession spark, Lakehouse lakehouse, String runId, String taskId) {
    this.spark = spark;
    this.lakehouse = lakehouse;
    this.runId = runId;
    this.taskId = taskId;
  }

  /** A run's recorded end. */
  record Ended(String outcome, int exitCode) {}

  /** The outputs of every stage the run completed, by stage. */
  Map<String, Map<String, String>> completed() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (Row r : rows().filter(col("status").equalTo("completed").and(col("stage").notEqual(RUN)))
        .orderBy("stage_index").collectAsList()) {
      out.put(r.getAs("stage"), parse(r.getAs("outputs")));
    }
    return out;
  }

  Optional<Ended> ended() {
    return rows().filter(col("stage").equalTo(RUN)).collectAsList().stream().findFirst()
        .map(r -> new Ended(r.getAs("outcome"), r.<Integer>getAs("exit_code")));
  }

  void stage(int index, Stage.Completed<?> done) {
    write(done.stage(), index, "completed", done.startedAt(), done.endedAt(),
        json(done.inputVersions()), json(done.outputs()), done.summary(), null, null, null);
  }

  void failed(String stage, int index, Instant started, String message) {
    write(stage, index, "failed", started, Instant.now(), null, null, null, message, null, null);
  }

  void end(int stages, Instant started, String outcome, int exitCode, String summary) {
    write(RUN, stages, "completed", started, Instant.now(), null, null, summary, null, outcome,
        exitCode);
  }

  /** The latest run of the task that has no end row: the one --resume continues. */
  static Optional<String> unfinished(Lakehouse lakehouse, String taskId) {
    if (!lakehouse.exists(Tables.OPS_NIGHTLY_RUNS)) {
      return Optional.empty();
    }
    Dataset<Row> runs = lakehouse.read(Tables.OPS_NIGHTLY_RUNS)
        .filter(col("task_id").equalTo(taskId));
    Dataset<Row> ended = runs.filter(col("stage").equalTo(RUN)).select("run_id");
    return runs.join(ended, runs.col("run_id").equalTo(ended.col("run_id")), "left_anti")
        .groupBy("run_id").agg(max("ended_at").as("last"))
        .orderBy(col("last").desc()).limit(1).collectAsList().stream().findFirst()
        .map(r -> r.getString(0));
  }

  /** Whether an earlier run of the task ended having trained (so its data gave a model). */
  static boolean trainedBefore(Lakehouse lakehouse, String taskId, String runId) {
    return lakehouse.exists(Tables.OPS_NIGHTLY_RUNS) && !lakehouse.read(Tables.OPS_NIGHTLY_RUNS)
        .filter(col("task_id").equalTo(taskId).and(col("run_id").notEqual(runId))
            .and(col("stage").equalTo(RUN))
            .and(col("outcome").isin("promoted", "kept_champion", "nothing_new")))
        .isEmpty();
  }

  private Dataset<Row> rows() {
    if (!lakehouse.exists(Tables.OPS_NIGHTLY_RUNS)) {
      return spark.createDataFrame(List.of(), Tables.OPS_NIGHTLY_RUNS.schema());
    }
    return lakehouse.read(Tables.OPS_NIGHTLY_RUNS).filter(col("run_id").equalTo(runId));
  }

  private void write(String stage, int index, String status, Instant started, Instant ended,
      String inputs, String outputs, String summary, String message, String outcome,
      Integer exitCode) {
    Row row = RowFactory.create(Arrays.asList(runId, taskId, stage, index, status,
        started == null ? null : Timestamp.from(started), Timestamp.from(ended), inputs,
        outputs, summary, message, outcome, exitCode, RunLock.host(), ProcessHandle.current().pid())
        .toArray());
    lakehouse.write(Tables.OPS_NIGHTLY_RUNS, List.of(row));
  }

  private static String json(Map<String, ?> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> parse(String json) {
    try {
      return json == null ? Map.of() : JSON.readValue(json, new TypeReference<>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("ops.nightly_runs outputs are not JSON: " + json, e);
    }
  }
}
