package org.fairgrove.pipeline.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.core.SmallCells;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.gate.Gate;
import org.fairgrove.pipeline.gate.Promotion;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.report.ReportWriter;
import org.fairgrove.pipeline.score.Scoring;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.Trainer;
import org.fairgrove.pipeline.validate.ValidationResult;
import org.fairgrove.pipeline.validate.ValidationRun;
import org.fairgrove.pipeline.validate.Verdict;

/**
 * Every pipeline stage, declared once, and the ordered lists the demo and nightly run: a new
 * stage is added here and nowhere else.
 */
public final class Stages {
  private Stages() {}

  /** The demo's population: generated, or reused when the same one is in synth.out. */
  public static final Stage<SynthResult> SYNTH = new Stage<>("synth", List.of(),
      c -> SyntheticPopulation.generateOrReuse(c.spark(), c.config()),
      (r, config) -> String.format(Locale.ROOT, "%s persons, %s, seed %d (%s) -> %s",
          Progress.count(r.persons()), Progress.count(config.synth.sites(), "site"),
          config.run.seed(), r.reused() ? "reused" : "generated", config.synth.out()),
      r -> Map.of());

  /** Every site folder of the synthetic population. */
  public static final Stage<List<IngestSummary>> INGEST_SYNTHETIC = ingest(
      c -> Ingest.syntheticPopulation(c.spark(), c.config()));

  /** Every batch waiting in nightly.landing. */
  public static final Stage<List<IngestSummary>> INGEST_LANDED = ingest(
      c -> Ingest.landed(c.spark(), c.config()));

  public static final Stage<Cohort.Result> COHORT = new Stage<>("cohort", Tables.SILVER,
      c -> Cohort.build(c.spark(), c.config()),
      (r, config) -> {
        int threshold = config.governance.smallCellThreshold();
        return String.format(Locale.ROOT, "%s: %s persons, %s rows, %s events", r.taskId(),
            SmallCells.show(r.persons(), threshold), SmallCells.show(r.rows(), threshold),
            SmallCells.show(r.events(), threshold));
      },
      r -> Map.of());

  public static final Stage<Features.Result> FEATURES = new Stage<>("features",
      with(Tables.SILVER, Tables.GOLD_COHORT),
      c -> Features.build(c.spark(), c.config()),
      (r, config) -> String.format(Locale.ROOT, "%s rows x %s slots, dictionary %s",
          Progress.count(r.rows()), Progress.count(r.slots()), r.dictionaryHash()),
      r -> Map.of("dictionary_hash", r.dictionaryHash()));

  public static final Stage<Trainer.Result> TRAIN = new Stage<>("train",
      List.of(Tables.GOLD_COHORT, Tables.GOLD_FEATURES, Tables.GOLD_FEATURE_DICTIONARY),
      c -> Trainer.train(c.spark(), c.config()),
      (r, config) -> r.modelId() + ": AUROC " + r.auroc().entrySet().stream()
          .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue()))
          .collect(Collectors.joining(", ")),
      r -> Map.of("model_id", r.modelId()));

  /** The trained model's report (its own verdicts, every evaluation set). */
  public static final Stage<ValidationRun.Result> VALIDATE = new Stage<>("validate",
      List.of(Tables.GOLD_FEATURES, Tables.REGISTRY_MODELS),
      c -> ValidationRun.run(c.spark(), c.config(), c.output(TRAIN.name(), "model_id")),
      (r, config) -> {
        StringBuilder out = new StringBuilder(r.decision().label().toUpperCase(Locale.ROOT)
            + ": " + r.findingsSummary());
        r.findings().stream().limit(5).forEach(f -> out.append("\n").append(f.describe()));
        r.paths().stream().filter(p -> p.endsWith(".pdf")).findFirst()
            .ifPresent(p -> out.append("\nreport: ").append(p));
        return out.toString();
      },
      r -> Map.of("validation_run_id", r.runId(), "decision", r.decision().label()));

  /** The trained model through the promotion gate, promoted or not. */
  public static final Stage<Gate.Result> GATE = new Stage<>("gate",
      List.of(Tables.GOLD_FEATURES, Tables.REGISTRY_MODELS),
      Stages::gate,
      (r, config) -> r.summary(5),
      r -> Map.of("decision", r.decision().configName(), "decision_id", r.decisionId()));

  /**
   * The task's champion applied, as of the last index date, to everyone of the target
   * population under observation then.
   */
  public static final Stage<Optional<Scoring.Result>> SCORE = new Stage<>("score",
      List.of(Tables.GOLD_FEATURES, Tables.REGISTRY_MODELS),
      c -> new Registry(c.spark(), c.lakehouse()).champion(c.config().task.requireId())
          .map(champion -> Scoring.score(c.spark(), c.config(),
              c.config().task.target().lastIndexDate(), null, null)),
      (r, config) -> r.map(s -> s.summary(config.governance.smallCellThreshold()).strip())
          .orElse("skipped: the task has no champion to score with"),
      r -> r.map(s -> Map.of("model_id", s.modelId())).orElse(Map.of()));

  /**
   * The champion validated on today's held-out rows (the newest period included), so
   * ops.validation_metrics holds its time series and its report flags a drop beyond the policy
   * even when the challenger was refused; nothing to do when the champion is the model just
   * validated.
   */
  public static final Stage<Optional<ValidationRun.Result>> MONITOR = new Stage<>("monitor",
      List.of(Tables.GOLD_FEATURES, Tables.REGISTRY_MODELS),
      c -> new Registry(c.spark(), c.lakehouse()).champion(c.config().task.requireId())
          .filter(champion -> !champion.modelId().equals(c.output(TRAIN.name(), "model_id")))
          .map(champion -> ValidationRun.run(c.spark(), c.config(), champion.modelId())),
      (r, config) -> r.map(v -> "champion " + v.modelId() + ": "
          + v.decision().label().toUpperCase(Locale.ROOT) + ", " + v.findingsSummary()
          + drops(v))
          .orElse("nothing more to validate: the champion is the model validated above, or"
              + " there is none"),
      r -> r.map(v -> Map.of("validation_run_id", v.runId())).orElse(Map.of()));

  /** The task's stages after ingest, in order. */
  public static final List<Stage<?>> TASK = List.of(COHORT, FEATURES, TRAIN, VALIDATE, GATE,
      SCORE, MONITOR);

  /** The demo: a generated population, ingested, then the task's stages. */
  public static final List<Stage<?>> DEMO = with(List.of(SYNTH, INGEST_SYNTHETIC), TASK);

  /** Nightly: the batches waiting in the landing folder, then the task's stages. */
  public static final List<Stage<?>> NIGHTLY = with(List.of(INGEST_LANDED), TASK);

  /** The champion's AUROC drops since its first validation, when any is for review or flagged. */
  private static String drops(ValidationRun.Result validated) {
    long dropped = validated.report().trend().drops().stream()
        .filter(d -> d.verdict() != Verdict.PASS).count();
    return dropped == 0 ? "" : "; AUROC below its first validation's by more than the margin in "
        + Progress.count(dropped, "slice");
  }

  private static Stage<List<IngestSummary>> ingest(
      Function<StageContext, List<IngestSummary>> work) {
    return new Stage<>("ingest", List.of(Tables.OPS_INGEST_LOG), work,
        (summaries, config) -> summaries.stream().map(i -> String.format(Locale.ROOT,
            "%-4s %s rows read: %s accepted, %s quarantined, %s duplicates (%s)", i.siteId(),
            Progress.count(i.rowsRead()), Progress.count(i.rowsAccepted()),
            Progress.count(i.rowsQuarantined()), Progress.count(i.rowsDuplicate()),
            i.alreadyIngested() ? "already ingested" : "batch " + i.batchId()))
            .collect(Collectors.joining("\n", "", summaries.isEmpty() ? "no batches" : "")),
        summaries -> Map.of("new_batches", Long.toString(
            summaries.stream().filter(i -> !i.alreadyIngested()).count())));
  }

  /**
   * The validation just run is reused when this process ran it (not after a resume); the model's
   * report gets the gate's section either way.
   */
  private static Gate.Result gate(StageContext c) {
    String modelId = c.output(TRAIN.name(), "model_id");
    ValidationRun.Result validated = c.result(VALIDATE.name(), ValidationRun.Result.class);
    List<ValidationResult> sets = validated == null ? null : validated.sets();
    Gate.Result decision = c.runId() == null
        ? Promotion.promote(c.spark(), c.config(), modelId, null, null, sets)
        : Promotion.promoteInRun(c.spark(), c.config(), modelId, c.runId(), sets);
    ReportWriter.addGate(c.spark(), c.config().reports.dir(), c.config().task.requireId(),
        decision, c.config().governance);
    return decision;
  }

  @SafeVarargs
  private static <T> List<T> with(List<? extends T> first, T... more) {
    List<T> out = new ArrayList<>(first);
    out.addAll(List.of(more));
    return List.copyOf(out);
  }

  private static <T> List<T> with(List<? extends T> first, List<? extends T> more) {
    List<T> out = new ArrayList<>(first);
    out.addAll(more);
    return List.copyOf(out);
  }
}
