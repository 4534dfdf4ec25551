package org.fairgrove.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.train.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the model registry: id, task, engine, status, metrics, training time.")
final class ModelsCommand extends SparkCommand {
  @Option(names = "--format", paramLabel = "table|json", description = "Output format"
      + " (json for scripts).")
  String format = "table";

  @Override
  int run(SparkSession spark, FairgroveConfig config) throws Exception {
    List<Registry.Entry> models =
        new Registry(spark, new Lakehouse(spark, config.lakehouse.root())).list();
    ObjectMapper json = new ObjectMapper();
    if ("json".equals(format)) {
      ArrayNode out = json.createArrayNode();
      for (Registry.Entry model : models) {
        out.addObject().put("id", model.modelId()).put("task", model.taskId())
            .put("engine", model.engine()).put("status", model.status())
            .put("training_seconds", model.trainingSeconds())
            .set("metrics", json.readTree(model.metrics()));
      }
      System.out.println(json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
      return 0;
    }
    System.out.printf("%-40s %-12s %-10s %-10s %10s  %s%n", "model", "task", "engine", "status",
        "seconds", "metrics");
    for (Registry.Entry model : models) {
      System.out.printf("%-40s %-12s %-10s %-10s %10.1f  %s%n", model.modelId(), model.taskId(),
          model.engine(), model.status(), model.trainingSeconds(), model.metrics());
    }
    return 0;
  }
}
