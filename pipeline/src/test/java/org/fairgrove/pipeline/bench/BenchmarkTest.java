package org.fairgrove.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which stages a benchmark runs, at which sizes, and what its JSON says: two stages that count
 * three units per person of the size they are given, one of them run only when named.
 */
@ExtendWith(SparkTestSession.class)
class BenchmarkTest {
  @TempDir Path dir;
  private final List<String> ran = new ArrayList<>();

  private BenchStage.Runner recording(String name) {
    return (spark, config) -> {
      ran.add(name + "@" + config.synth.persons());
      return BenchStage.Outcome.of(3 * config.synth.persons());
    };
  }

  private List<BenchStage> stages() {
    return List.of(new BenchStage("usual", "units", recording("usual")),
        new BenchStage("only-when-named", "units", false, recording("only-when-named")));
  }

  @Test
  void aRunNamingNoStagesSkipsTheOnesRunOnlyWhenNamed(SparkSession spark) throws IOException {
    FairgroveConfig config = SparkTestSession.testConfig(dir, "bench.sizes=[5, 7]");
    JsonNode results = new ObjectMapper().readTree(Benchmark.run(spark, config, stages())
        .toFile()).get("results");

    assertThat(ran).containsExactly("usual@5", "usual@7");
    assertThat(results).hasSize(2);
    assertThat(results.get(1).get("stage").asText()).isEqualTo("usual");
    assertThat(results.get(1).get("persons").asLong()).isEqualTo(7);
    assertThat(results.get(1).get("units").asLong()).isEqualTo(21);
  }

  @Test
  void aNamedStageRunsAndAnUnknownOneFailsFast(SparkSession spark) {
    Benchmark.run(spark, SparkTestSession.testConfig(dir, "bench.sizes=[4]",
        "bench.stages=[only-when-named]"), stages());
    assertThat(ran).containsExactly("only-when-named@4");

    FairgroveConfig unknown = SparkTestSession.testConfig(dir, "bench.stages=[nonesuch]");
    assertThatThrownBy(() -> Benchmark.run(spark, unknown, stages()))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("'nonesuch' is not a stage");
  }

  @Test
  void theNightlyStageNeedsANextBatchAndSaysSoBeforeAnyStageRuns(SparkSession spark) {
    List<BenchStage> withNightly = new ArrayList<>(stages());
    withNightly.addAll(BenchStages.all());
    FairgroveConfig noBatch = SparkTestSession.testConfig(dir, "bench.sizes=[4]",
        "bench.stages=[usual, nightly]");
    assertThatThrownBy(() -> Benchmark.run(spark, noBatch, withNightly))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("With synth.as-of on the end date there is no next batch")
        .hasMessageContaining("--set synth.as-of=2023-12-31");
    assertThat(ran).isEmpty();
  }
}
