package org.fairgrove.pipeline.gate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.report.ReportWriter;
import org.fairgrove.pipeline.testing.KnownRiskPopulation;
import org.fairgrove.pipeline.testing.ReportSchema;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.Trainer;
import org.fairgrove.pipeline.validate.ValidationRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promotion gate on a population whose risk is known ({@link KnownRiskPopulation}), with
 * x4 = "is Black" among the inputs (a proxy, as real features often are): a first model passes
 * the absolute policy; a retrained model no worse is promoted; a model trained where most of the
 * Black persons' events went unrecorded (under-diagnosis in the training and validation splits;
 * the held-out labels are complete) under-predicts their risk and is refused, naming that group
 * and the metric first; an override needs a reason and is recorded.
 */
@ExtendWith(SparkTestSession.class)
@Tag("e2e")
class GateTest {
  private static final String TASK = "gate";
  private static final List<String> FEATURES = List.of("x1", "x2", "x3", "x4");
  @TempDir static Path dir;
  private final SparkSession spark;

  GateTest(SparkSession spark) {
    this.spark = spark;
  }

  private static Path file(List<String> paths, String name) {
    return paths.stream().map(p -> Path.of(p.replace("file:", "")))
        .filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void promotesAFirstModelAndAGoodChallengerRefusesAWorseOneAndRecordsAnOverride()
      throws Exception {
    FairgroveConfig config = SparkTestSession.testConfig(dir, "task.id=" + TASK,
        "task.train.rounds=40", "task.train.early-stopping-rounds=10",
        "task.train.search.trials=1", "governance.bootstrap-replicates=100");
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Registry registry = new Registry(spark, lakehouse);
    Dataset<Row> population = KnownRiskPopulation.rows(spark, 8_000)
        .withColumn("x4", when(col("race").equalTo("Black"), 1.0).otherwise(0.0));
    KnownRiskPopulation.write(spark, lakehouse, TASK, population, FEATURES, "dictionary-g");

    String first = Trainer.train(spark, config).modelId();
    Gate.Result firstDecision = Promotion.promote(spark, config, first, null, null, null);
    assertThat(firstDecision.decision()).as(firstDecision.summary(10))
        .isEqualTo(Gate.Decision.PROMOTE);
    assertThat(firstDecision.comparisons()).allMatch(
        c -> c.criterion() == GateComparison.Criterion.ABSOLUTE_POLICY);
    assertThat(registry.champion(TASK).orElseThrow().modelId()).isEqualTo(first);

    FairgroveConfig reseeded = config.with(List.of("run.seed=8", "task.train.rounds=45"));
    String retrained = Trainer.train(spark, reseeded).modelId();
    assertThat(retrained).isNotEqualTo(first);
    Gate.Result good = Promotion.promote(spark, reseeded, retrained, null, null, null);
    assertThat(good.decision()).as(good.summary(10)).isEqualTo(Gate.Decision.PROMOTE);
    assertThat(good.championId()).isEqualTo(first);
    assertThat(good.comparisons()).extracting(GateComparison::criterion).contains(
        GateComparison.Criterion.DISCRIMINATION, GateComparison.Criterion.FAIRNESS,
        GateComparison.Criterion.CALIBRATION);

    // Under-diagnosis in the data the challenger learns from: 60% of the Black persons' events
    // unrecorded in train and validation.
    KnownRiskPopulation.write(spark, lakehouse, TASK, population.withColumn("label",
        when(col("race").equalTo("Black").and(col("split").isin("train", "validation"))
            .and(rand(41).lt(0.6)), 0).otherwise(col("label"))), FEATURES, "dictionary-g");
    String worse = Trainer.train(spark, config).modelId();
    Gate.Result refused = Promotion.promote(spark, config, worse, null, null, null);
    assertThat(refused.decision()).as(refused.summary(10))
        .isEqualTo(Gate.Decision.KEEP_CHAMPION);
    assertThat(registry.champion(TASK).orElseThrow().modelId()).isEqualTo(retrained);
    assertThat(refused.blocking()).anyMatch(c -> c.set().equals("test")
        && c.slice().attribute().equals("race") && c.slice().group().equals("Black")
        && c.metric().equals("oe_ratio") && c.challenger() > c.champion());
    // Fewer events also left the challenger under-fitted (calibration slopes above the policy,
    // for review, in several groups), which blocks too; the evidence beyond the limits, though,
    // is about the Black group alone, and the summary leads with it.
    assertThat(refused.blocking().stream().filter(c -> "flag".equals(c.challengerVerdict())))
        .isNotEmpty().allMatch(c -> c.slice().group().contains("Black"));
    assertThat(refused.summary(2)).startsWith("KEEP CHAMPION " + worse + " against champion "
        + retrained).contains("race=Black: calibration");

    // The report of the refused model, rendered again with the gate's section.
    ValidationRun.run(spark, config, worse);
    List<String> paths = ReportWriter.addGate(spark, config.reports.dir(), TASK, refused,
        config.governance);
    JsonNode report = new ObjectMapper().readTree(file(paths, "report.json").toFile());
    assertThat(ReportSchema.errors(report)).isEmpty();
    assertThat(report.path("gate").path("decision").asText()).isEqualTo("keep_champion");
    assertThat(report.path("gate").path("comparisons").size())
        .isEqualTo(refused.comparisons().size());
    try (PDDocument pdf = PDDocument.load(file(paths, "report.pdf").toFile())) {
      assertThat(new PDFTextStripper().getText(pdf)).contains(
          "Challenger vs champion: the promotion gate", "KEEP CHAMPION",
          "Compared with the champion " + retrained, "race=Black", "What blocks promotion");
    }

    List<Row> recorded = lakehouse.read(Tables.OPS_PROMOTION_DECISIONS)
        .filter(col("decision_id").equalTo(refused.decisionId())).collectAsList();
    assertThat(recorded).hasSize(refused.comparisons().size());
    assertThat(recorded).allMatch(r -> r.<String>getAs("decision").equals("keep_champion")
        && r.<String>getAs("champion_model_id").equals(retrained));
    assertThat(recorded.stream().filter(r -> r.<Boolean>getAs("blocks")).count())
        .isEqualTo(refused.blocking().size());

    assertThatThrownBy(() -> new Promotion.Override("analyst", " "))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("needs a reason");
    Gate.Result overridden = Promotion.promote(spark, config, worse,
        new Promotion.Override("analyst", "committee accepted the risk, minutes item 4"), null,
        null);
    assertThat(overridden.decision()).isEqualTo(Gate.Decision.OVERRIDE);
    assertThat(registry.champion(TASK).orElseThrow().modelId()).isEqualTo(worse);
    Row override = lakehouse.read(Tables.OPS_PROMOTION_DECISIONS)
        .filter(col("decision_id").equalTo(overridden.decisionId())).first();
    assertThat(override.<String>getAs("overridden_by")).isEqualTo("analyst");
    assertThat(override.<String>getAs("override_reason")).contains("minutes item 4");

    Gate.Result again = Promotion.promote(spark, config, worse, null, null, null);
    assertThat(again.decision()).isEqualTo(Gate.Decision.ALREADY_CHAMPION);
    assertThat(lakehouse.read(Tables.OPS_PROMOTION_DECISIONS)
        .filter(col("decision_id").equalTo(again.decisionId())).count()).isEqualTo(1);
  }
}
