package org.fairgrove.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestRequest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-rows batch at 1,800 persons, counted by hand: 18,000 visit rows, every 100th bad (180),
 * nine kinds in turn (20 each); 18 dead persons; 18 rows of an unknown file.
 */
@ExtendWith(SparkTestSession.class)
class BadRowsTest {
  @TempDir static Path dir;

  @Test
  void everyKindOfBadRowIsQuarantinedWithItsReasonAndTheCountsReconcile(SparkSession spark) {
    FairgroveConfig config = SparkTestSession.testConfig(dir, "synth.persons=1800",
        "deid.dev-key=test-key-for-bad-rows-0123456789");
    BenchStage.Outcome outcome = BadRows.run(spark, config);

    JsonNode quarantined = outcome.details().get("quarantined");
    Map<String, Long> byHand = Map.of("malformed_row", 20L, "unparseable_date", 20L,
        "unparseable_number", 20L, "missing_required", 20L, "end_before_start", 20L,
        "event_before_birth", 20L, "event_after_death", 20L,
        // The conflicting row and the row whose key it repeats.
        "duplicate_key_conflict", 40L, "unknown_table", 18L);
    assertThat(quarantined.size()).isEqualTo(byHand.size());
    byHand.forEach((reason, count) ->
        assertThat(quarantined.get(reason).get("found").asLong()).as(reason).isEqualTo(count));
    assertThat(outcome.details().get("visit_duplicates").get("found").asLong()).isEqualTo(20);
    // 18,000 - 180 quarantined - 20 duplicates.
    assertThat(outcome.details().get("visits_accepted").get("found").asLong())
        .isEqualTo(17_800);
    // Persons 1,818 (1,800 + 18 dead), as many periods, 18 deaths, 18,000 visits, 18 unknown.
    assertThat(outcome.units()).isEqualTo(1_818 + 1_818 + 18 + 18_000 + 18);
    assertThat(outcome.details().get("reconciles").asBoolean()).isTrue();

    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root() + "-bad-rows");
    assertThat(lakehouse.read(Tables.silver("visit_occurrence")).count()).isEqualTo(17_800);
    assertThat(lakehouse.read(Tables.OPS_QUARANTINE).count()).isEqualTo(198);
  }

  @Test
  void aBatchThatDoesNotReconcileFailsTheStage(SparkSession spark) {
    FairgroveConfig config = SparkTestSession.testConfig(dir.resolve("short"),
        "deid.dev-key=test-key-for-bad-rows-0123456789");
    String folder = dir.resolve("short-batch").toString();
    BadRows.Expected expected = BadRows.write(spark, folder, 200);
    IngestSummary summary = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, folder, BadRows.SITE));
    BadRows.Expected oneDuplicateMore = new BadRows.Expected(expected.personRows(),
        expected.deathRows(), expected.visitRows(), expected.noteRows(), expected.quarantined(),
        expected.duplicates() + 1);

    assertThatThrownBy(() -> BadRows.reconcile(spark, config, summary, oneDuplicateMore))
        .hasMessageContaining("did not reconcile").hasMessageContaining("\"visit_duplicates\"");
  }
}
