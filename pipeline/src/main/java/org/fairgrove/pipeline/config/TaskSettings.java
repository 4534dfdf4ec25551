package org.fairgrove.pipeline.config;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.omop.SourceConcepts;

/** Keys under {@code task}: the prediction task (target cohort, outcome, time at risk, features). */
public record TaskSettings(
    String id, String description, Target target, Outcome outcome, TimeAtRisk timeAtRisk,
    Exclusions exclusions, Split split, Features features, Train train,
    OperatingPoints operatingPoints) {

  public static final String FIRST_VISIT_EACH_YEAR = "first-visit-each-year";
  public static final String FIRST_VISIT = "first-visit";
  public static final List<String> DOMAINS =
      List.of("condition", "drug", "procedure", "measurement", "observation", "visit");

  /** Who is eligible and when. */
  public record Target(String indexRule, List<Integer> visitConcepts, LocalDate firstIndexDate,
      LocalDate lastIndexDate, int minAge, int maxAge, int minPriorObservationDays) {}

  /** The outcome concept set. */
  public record Outcome(List<Integer> concepts, List<String> sourceCodes,
      List<SourceConcepts.Entry> exportCodes) {}

  /** Time at risk relative to the index date (day 0). */
  public record TimeAtRisk(int startDay, int endDay, boolean requireFull, boolean excludeDeaths) {}

  /** Who is excluded. */
  public record Exclusions(int priorOutcomeLookbackDays, List<Integer> concepts) {}

  /**
   * How cohort rows are assigned to train, validation, test, temporal and external sets; written
   * with the cohort so every later stage uses exactly the same rows.
   */
  public record Split(double testFraction, double validationFraction, LocalDate temporalCutoff,
      List<String> externalSites) {}

  /**
   * How the model is trained.
   *
   * @param workers XGBoost workers (one Spark task each); 0: one per task slot of the
   *     application when training starts (executors x cores / spark.task.cpus)
   */
  public record Train(EngineKind engine, int workers, int rounds, int earlyStoppingRounds,
      boolean classWeighting, int searchTrials, List<Integer> maxDepth, List<Double> learningRate,
      List<Double> minChildWeight, boolean recalibrate, int topContributions) {}

  /** Where the model's risks become decisions: one kind, several values (ascending). */
  public record OperatingPoints(OperatingPointKind kind, List<Double> values) {}

  /** How features are built. */
  public record Features(List<Integer> windowsDays, boolean allPrior, int endDay,
      List<String> domains, int minPersons, int topKPerDomain,
      boolean protectedAttributesAsInputs, String dictionary) {}

  static TaskSettings read(ConfigReader c) {
    Target target = new Target(
        c.oneOf("task.target.index-rule", Set.of(FIRST_VISIT_EACH_YEAR, FIRST_VISIT)),
        c.ints("task.target.visit-concepts"),
        c.date("task.target.first-index-date"),
        c.date("task.target.last-index-date"),
        c.intIn("task.target.min-age", 0, 130),
        c.intIn("task.target.max-age", 0, 130),
        c.intIn("task.target.min-prior-observation-days", 0, 36_500));
    if (target.lastIndexDate().isBefore(target.firstIndexDate())) {
      throw Errors.invalidConfigValue("task.target.last-index-date",
          c.origin("task.target.last-index-date"), "It is before task.target.first-index-date.",
          "a date on or after " + target.firstIndexDate());
    }
    if (target.maxAge() < target.minAge()) {
      throw Errors.invalidConfigValue("task.target.max-age", c.origin("task.target.max-age"),
          "It is below task.target.min-age.", "an age of at least " + target.minAge());
    }
    TimeAtRisk timeAtRisk = new TimeAtRisk(
        c.intIn("task.time-at-risk.start-day", 0, 36_500),
        c.intIn("task.time-at-risk.end-day", 0, 36_500),
        c.bool("task.time-at-risk.require-full"),
        "exclude".equals(c.oneOf("task.time-at-risk.death", Set.of("non-event", "exclude"))));
    if (timeAtRisk.endDay() < timeAtRisk.startDay()) {
      throw Errors.invalidConfigValue("task.time-at-risk.end-day",
          c.origin("task.time-at-risk.end-day"), "It is before task.time-at-risk.start-day.",
          "a day on or after " + timeAtRisk.startDay());
    }
    List<String> domains = c.strings("task.features.domains");
    for (String domain : domains) {
      if (!DOMAINS.contains(domain)) {
        throw Errors.invalidConfigValue("task.features.domains",
            c.origin("task.features.domains"), "'" + domain + "' is not a feature domain.",
            "a list drawn from " + DOMAINS);
      }
    }
    List<Integer> windows = c.ints("task.features.windows-days");
    if (windows.stream().anyMatch(w -> w < 1)) {
      throw Errors.invalidConfigValue("task.features.windows-days",
          c.origin("task.features.windows-days"), "Windows are whole days and at least 1.",
          "a list of positive day counts, e.g. [30, 180, 365]");
    }
    int endDay = c.intIn("task.features.end-day", -36_500, -1);
    Split split = new Split(
        c.doubleIn("task.split.test-fraction", 0.0, 0.9),
        c.doubleIn("task.split.validation-fraction", 0.0, 0.9),
        c.has("task.split.temporal-cutoff") ? c.date("task.split.temporal-cutoff") : null,
        c.strings("task.split.external-sites"));
    if (split.testFraction() + split.validationFraction() >= 0.95) {
      throw Errors.invalidConfigValue("task.split.validation-fraction",
          c.origin("task.split.validation-fraction"),
          "Test and validation together leave almost nothing to train on.",
          "fractions that sum to less than 0.95, e.g. test 0.2 and validation 0.1");
    }
    return new TaskSettings(
        c.optionalString("task.id"),
        c.string("task.description"),
        target,
        new Outcome(c.ints("task.outcome.concepts"), c.strings("task.outcome.source-codes"),
            exportCodes(c)),
        timeAtRisk,
        new Exclusions(c.intIn("task.exclusions.prior-outcome-lookback-days", 0, 36_500),
            c.ints("task.exclusions.concepts")),
        split,
        new Features(windows.stream().sorted().distinct().toList(),
            c.bool("task.features.all-prior"), endDay, domains,
            c.intIn("task.features.min-persons", 1, Integer.MAX_VALUE),
            c.intIn("task.features.top-k-per-domain", 1, 100_000),
            c.bool("task.features.protected-attributes-as-inputs"),
            c.optionalString("task.features.dictionary")),
        new Train(
            c.choice("task.train.engine", EngineKind.class),
            c.intIn("task.train.workers", 0, 100_000),
            c.intIn("task.train.rounds", 1, 100_000),
            c.intIn("task.train.early-stopping-rounds", 0, 100_000),
            c.bool("task.train.class-weighting"),
            c.intIn("task.train.search.trials", 1, 1000),
            nonEmpty(c, "task.train.search.max-depth", c.ints("task.train.search.max-depth")),
            c.doublesIn("task.train.search.learning-rate", 1e-6, 1.0),
            c.doublesIn("task.train.search.min-child-weight", 0.0, 1e6),
            c.bool("task.train.recalibrate"),
            c.intIn("task.train.top-contributions", 0, 100)),
        new OperatingPoints(
            c.choice("task.operating-points.kind", OperatingPointKind.class),
            c.doublesIn("task.operating-points.values", 1e-6, 1.0 - 1e-6).stream().sorted()
                .distinct().toList()));
  }

  private static List<Integer> nonEmpty(ConfigReader c, String key, List<Integer> values) {
    if (values.isEmpty()) {
      throw Errors.invalidConfigValue(key, c.origin(key), "The search grid is empty.",
          "at least one value, e.g. [4]");
    }
    return values;
  }

  /** The task id, or a clear error naming how to choose a task. */
  public String requireId() {
    if (id == null || id.isBlank()) {
      throw Errors.missingConfigValue("task.id", "This command works on one prediction task.",
          "Choose one with --task ID (a file in conf/tasks/, e.g. --task t2d-1y) or --conf FILE.");
    }
    return id;
  }

  /** The outcome concept set, or a clear error when the task defines none. */
  /** task.outcome.export-codes: each "VOCABULARY:CODE" must be a row of the shipped table. */
  private static List<SourceConcepts.Entry> exportCodes(ConfigReader c) {
    String key = "task.outcome.export-codes";
    List<SourceConcepts.Entry> entries = new ArrayList<>();
    for (String code : c.strings(key)) {
      String[] parts = code.split(":", 2);
      entries.add((parts.length == 2 ? SourceConcepts.entry(parts[0].trim(), parts[1].trim())
          : Optional.<SourceConcepts.Entry>empty()).orElseThrow(() ->
              Errors.invalidConfigValue(key, c.origin(key), "'" + code + "' is not a code of"
                  + " the shipped concept table (fairgrove/vocab/source-concepts.csv).",
                  "VOCABULARY:CODE with a vocabulary of " + SourceConcepts.FHIR_SYSTEMS.keySet()
                  + ", e.g. \"SNOMED:44054006\"")));
    }
    return List.copyOf(entries);
  }

  public Outcome requireOutcome() {
    if (outcome.concepts().isEmpty() && outcome.sourceCodes().isEmpty()) {
      throw Errors.missingConfigValue("task.outcome.concepts",
          "Task '" + id + "' names no outcome concepts or source codes, so no row could be"
              + " labelled.",
          "Set task.outcome.concepts (standard concept ids) or task.outcome.source-codes.");
    }
    return outcome;
  }
}
