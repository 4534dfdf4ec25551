package org.fairgrove.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Where a stage's time goes: every Spark job it ran, grouped by what started it (the job
 * description a stage sets, if any, and Spark's call site, e.g. "count at Ingest.java:212"),
 * with the number of jobs and their summed wall time; and per executor ("driver" on local Spark)
 * the tasks it ran and the peak heap its tasks saw (executors poll their memory every
 * spark.executor.metrics.pollingInterval, or at each heartbeat when 0; 0 when never polled).
 * Registered around each benchmarked stage.
 */
final class JobTimes extends SparkListener {
  private static final int SHOWN = 30;

  /** Jobs and summed seconds of one group. */
  private static final class Group {
    int jobs;
    double seconds;
  }

  private final Map<Integer, long[]> started = new ConcurrentHashMap<>();
  private final Map<Integer, String> groupOf = new ConcurrentHashMap<>();
  private final Map<String, Group> groups = new ConcurrentHashMap<>();
  /** Per executor id: tasks ended, peak JVM heap bytes. */
  private final Map<String, long[]> executors = new ConcurrentHashMap<>();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    ExecutorMetrics metrics = end.taskExecutorMetrics();
    long heap = metrics == null ? 0 : metrics.getMetricValue("JVMHeapMemory");
    executors.merge(end.taskInfo().executorId(), new long[] {1, heap},
        (a, b) -> new long[] {a[0] + b[0], Math.max(a[1], b[1])});
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    Properties properties = start.properties();
    String description = properties == null ? null
        : properties.getProperty("spark.job.description");
    // Both: a stage's description alone would lump all its actions into one line.
    groupOf.put(start.jobId(), description == null ? callSite(start)
        : description + ": " + callSite(start));
    started.put(start.jobId(), new long[] {start.time()});
  }

  /** The action that started the job: its last stage is named after the call site. */
  private static String callSite(SparkListenerJobStart start) {
    String name = null;
    int last = -1;
    for (StageInfo stage : CollectionConverters.asJava(start.stageInfos())) {
      if (stage.stageId() > last) {
        last = stage.stageId();
        name = stage.name();
      }
    }
    return name == null ? "unnamed" : name;
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    long[] begin = started.remove(end.jobId());
    String group = groupOf.remove(end.jobId());
    if (begin == null || group == null) {
      return;
    }
    synchronized (groups) {
      Group g = groups.computeIfAbsent(group, k -> new Group());
      g.jobs++;
      g.seconds += (end.time() - begin[0]) / 1000.0;
    }
  }

  /** The total job count and the groups that took longest, as JSON. */
  ObjectNode summary() {
    ObjectNode out = new ObjectMapper().createObjectNode();
    synchronized (groups) {
      out.put("jobs", groups.values().stream().mapToInt(g -> g.jobs).sum());
      out.put("job_seconds", Math.round(groups.values().stream()
          .mapToDouble(g -> g.seconds).sum() * 1000) / 1000.0);
      ArrayNode top = out.putArray("slowest");
      groups.entrySet().stream()
          .sorted(Comparator.comparingDouble((Map.Entry<String, Group> e) -> -e.getValue()
              .seconds))
          .limit(SHOWN)
          .forEach(e -> top.addObject().put("job", e.getKey()).put("jobs", e.getValue().jobs)
              .put("seconds", Math.round(e.getValue().seconds * 1000) / 1000.0));
    }
    ObjectNode byExecutor = out.putObject("executors");
    new TreeMap<>(executors).forEach((id, figures) -> byExecutor.putObject(id)
        .put("tasks", figures[0]).put("peak_heap_bytes", figures[1]));
    return out;
  }
}
