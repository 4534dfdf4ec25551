package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(SparkTestSession.class)
class FairgroveCliTest {
  @TempDir Path dir;

  @Test
  void topLevelHelpListsEveryCommand() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: fairgrove", "demo", "synth", "ingest", "sql", "bench",
        "config", "validate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "synth", "ingest", "sql", "bench", "config", "validate"})
  void everyCommandHasHelp(String command) {
    CliRun run = CliRun.of(command, "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: fairgrove " + command, "--conf", "--set", "--verbose");
  }

  @Test
  void versionNamesSpark() {
    CliRun run = CliRun.of("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("fairgrove", "Spark 4.1.0");
  }

  @Test
  void configErrorsExitTwoWithProblemWhyAndFix() {
    CliRun run = CliRun.of("config", "--set", "synth.persns=10");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(run.err())
        .contains("error: Unknown configuration key 'synth.persns' (from --set synth.persns)")
        .contains("why: ")
        .contains("Did you mean 'synth.persons'?")
        .contains("fix: ")
        .doesNotContain("Exception");
  }

  @Test
  void configPrintsEffectiveValuesWithOrigins() {
    CliRun run = CliRun.of("config", "--conf", "local", "--set", "synth.persons=77");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("synth.persons = 77    (--set synth.persons)")
        .contains("run.environment = \"development\"")
        .contains("Number of persons in the synthetic population (the demo's size");
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun run = CliRun.of("sql", "--formatt", "csv", "SELECT 1");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(run.err()).contains("Unknown options: '--formatt'")
        .contains("Possible solutions: --format");
  }

  @Test
  void sqlQueriesLakehouseTablesByName(SparkSession spark) {
    Path lakehouse = dir.resolve("lakehouse");
    StructType schema = new StructType()
        .add("site_id", DataTypes.StringType)
        .add("persons", DataTypes.LongType)
        .add("note", DataTypes.StringType);
    spark.createDataFrame(List.of(
            RowFactory.create("S1", 120L, "plain"),
            RowFactory.create("S2", 95L, "has, comma"),
            RowFactory.create("S3", 40L, null)), schema)
        .write().format("delta").save(lakehouse.resolve("gold").resolve("site_counts").toString());
    String root = "lakehouse.root=" + lakehouse;

    CliRun csv = CliRun.of("sql", "--set", root, "--format", "csv",
        "SELECT * FROM gold.site_counts ORDER BY site_id");
    csv.assertSucceeded();
    assertThat(csv.out()).isEqualTo(
        "site_id,persons,note\nS1,120,plain\nS2,95,\"has, comma\"\nS3,40,\n");

    CliRun json = CliRun.of("sql", "--set", root, "--format", "json",
        "SELECT site_id, persons FROM gold.site_counts WHERE persons > 50 ORDER BY site_id");
    assertThat(json.out()).isEqualTo(
        "{\"site_id\":\"S1\",\"persons\":120}\n{\"site_id\":\"S2\",\"persons\":95}\n");

    CliRun table = CliRun.of("sql", "--set", root, "--limit", "2",
        "SELECT site_id, persons FROM gold.site_counts ORDER BY site_id");
    assertThat(table.out()).isEqualTo("""
        +---------+---------+
        | site_id | persons |
        +---------+---------+
        | S1      |     120 |
        | S2      |      95 |
        +---------+---------+
        2 rows shown (more exist; raise --limit, or use --format csv|json for all)
        """);
  }

  @Test
  void badSqlIsAUserError() {
    CliRun run = CliRun.of("sql", "--set", "lakehouse.root=" + dir, "SELECT * FROM silver.nope");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(run.err()).contains("error: The SQL query failed.", "TABLE_OR_VIEW_NOT_FOUND",
        "SHOW TABLES IN silver");
    // Two statements at once: a parse error, whose message starts with an empty line.
    CliRun twoStatements = CliRun.of("sql", "--set", "lakehouse.root=" + dir,
        "SELECT 1\n\nSELECT 2");
    assertThat(twoStatements.exitCode()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(twoStatements.err()).containsPattern("why: \\S").contains("PARSE_SYNTAX_ERROR");
  }

  @Test
  void taskOptionLoadsTheShippedTaskAndNamesAMissingOne() {
    CliRun shown = CliRun.of("config", "--task", "t2d-1y");
    assertThat(shown.exitCode()).isZero();
    assertThat(shown.out()).contains("task.id = \"t2d-1y\"")
        .contains("task.outcome.concepts = [201826]");
    CliRun missing = CliRun.of("cohort", "--task", "no-such-task");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(missing.err()).contains("Task 'no-such-task' was not found.")
        .contains("t2d-1y");
  }

  @Test
  void validateWithoutAChampionSaysHowToGetOne() {
    CliRun run = CliRun.of("validate", "--task", "t2d-1y", "--set",
        "lakehouse.root=" + dir.resolve("no-models"));
    assertThat(run.exitCode()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(run.err()).contains("error: Task 't2d-1y' has no champion model.",
        "fairgrove promote");
  }
}
