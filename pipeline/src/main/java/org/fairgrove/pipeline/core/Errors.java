package org.fairgrove.pipeline.core;

import java.util.Collection;

/** The catalogue of user-facing errors: each states the problem, the cause and the fix. */
public final class Errors {
  private Errors() {}

  private static FairgroveError error(String problem, String reason, String fix) {
    return new FairgroveError(problem, reason, fix, null);
  }

  // ---- configuration ----

  public static FairgroveError unknownConfigKey(String key, String origin, String suggestion) {
    return error(
        "Unknown configuration key '" + key + "' (from " + origin + ").",
        "Every key must be declared in conf/base.conf; this one is not"
            + (suggestion == null ? "." : ". Did you mean '" + suggestion + "'?"),
        "Correct or remove the key. `fairgrove config` lists every declared key with its help.");
  }

  public static FairgroveError wrongConfigType(
      String key, String expected, String actual, String origin) {
    return error(
        "Configuration key '" + key + "' has the wrong type (from " + origin + ").",
        "It must be " + expected + ", but the value given is " + actual + ".",
        "Give '" + key + "' a value of the expected type, e.g. --set " + key + "=<value>.");
  }

  public static FairgroveError invalidConfigValue(
      String key, String origin, String why, String expected) {
    return error(
        "Configuration key '" + key + "' has an invalid value (from " + origin + ").",
        why,
        "Set '" + key + "' to " + expected + ".");
  }

  public static FairgroveError missingConfigValue(String key, String why, String fix) {
    return error("Configuration key '" + key + "' has no value.", why, fix);
  }

  public static FairgroveError configFileNotFound(String name, Collection<String> profiles) {
    return error(
        "Configuration '" + name + "' was not found.",
        "--conf takes a file path or the name of a bundled profile (" + String.join(", ", profiles)
            + "), and '" + name + "' is neither.",
        "Check the path (relative paths are taken from the working directory) or use a bundled"
            + " profile name.");
  }

  public static FairgroveError taskNotFound(String task) {
    return error(
        "Task '" + task + "' was not found.",
        "--task ID loads conf/tasks/ID.conf, and there is no such file.",
        "Use a task shipped in conf/tasks/ (e.g. t2d-1y, htn-1y), or pass your own task file"
            + " with --conf FILE.");
  }

  public static FairgroveError unreadableConfig(String name, String detail) {
    return error(
        "Configuration '" + name + "' could not be parsed.",
        detail,
        "Fix the HOCON syntax at the position given (see conf/base.conf for the format).");
  }

  public static FairgroveError badSetOption(String option) {
    return error(
        "The option --set " + option + " is not of the form key=value.",
        "--set overrides one declared configuration key with a value.",
        "Write it as --set some.key=value, e.g. --set synth.persons=5000.");
  }

  public static FairgroveError invalidOption(String option, String value,
      Collection<String> allowed) {
    return error(
        "The option " + option + " has an invalid value '" + value + "'.",
        option + " takes one of " + allowed + ".",
        "Run the command again with " + option + " set to one of " + allowed + ".");
  }

  // ---- lakehouse and queries ----

  public static FairgroveError tableMissing(String table, String path, String producedBy) {
    return error(
        "Table " + table + " does not exist yet (looked in " + path + ").",
        "It is written by `fairgrove " + producedBy + "`, which has not run against this"
            + " lakehouse.",
        "Run `fairgrove " + producedBy + "` first, or point lakehouse.root at the lakehouse that"
            + " holds it.");
  }

  public static FairgroveError sqlFailed(String detail) {
    return error(
        "The SQL query failed.",
        detail,
        "Check the query; `fairgrove sql \"SHOW TABLES IN silver\"` lists the tables of a schema"
            + " (schemas: bronze, silver, gold, ops, registry, truth).");
  }

  public static FairgroveError outputExists(String path, String key) {
    return error(
        "The output folder " + path + " holds files that Fairgrove did not write.",
        "Fairgrove replaces only folders it wrote itself (they carry a manifest); replacing this"
            + " one could destroy someone's data.",
        "Remove the folder, or choose another with --out or --set " + key + "=DIR.");
  }

  public static FairgroveError noTrainingRows(String task) {
    return error(
        "Task '" + task + "' has no training rows in gold.cohort.",
        "Features are chosen on training rows only; the cohort is empty or every row is held out"
            + " (test, validation, temporal or external).",
        "Build the cohort first with `fairgrove cohort --task " + task + "`, and check"
            + " task.split and the target rules against `fairgrove sql \"SELECT * FROM"
            + " gold.cohort_attrition\"`.");
  }

  public static FairgroveError dictionaryNotFound(String task, String hash) {
    return error(
        "Task '" + task + "' has no feature dictionary " + hash + " in gold.feature_dictionary.",
        "task.features.dictionary names a dictionary to build the features in, and no features"
            + " build of this task in this lakehouse wrote it.",
        "Use the dictionary_hash of a model of this task (`fairgrove models`), or leave"
            + " task.features.dictionary unset to choose the concepts anew.");
  }

  public static FairgroveError modelNotFound(String modelId) {
    return error(
        "Model '" + modelId + "' is not in the registry.",
        "Models are registered by `fairgrove train`; the id may be mistyped or from another"
            + " lakehouse.",
        "List the registered models with `fairgrove models`.");
  }

  public static FairgroveError noChampion(String task) {
    return error(
        "Task '" + task + "' has no champion model.",
        "Scoring without --model-id uses the task's champion, and none has been promoted.",
        "Promote a model with `fairgrove promote MODEL_ID` (see `fairgrove models`), or pass"
            + " --model-id.");
  }

  public static FairgroveError nothingToResume(String task) {
    return error(
        "There is no unfinished nightly run of task '" + task + "' to resume.",
        "--resume continues the latest run in ops.nightly_runs that has no end row, and every"
            + " run of this task has ended (or none has started).",
        "Start a new run without --resume, or name a run with --run-id ID (see `fairgrove sql"
            + " \"SELECT DISTINCT run_id FROM ops.nightly_runs\"`).");
  }

  public static FairgroveError overrideWithoutReason() {
    return error(
        "An override of the promotion gate needs a reason.",
        "Promoting a model the gate refused is recorded in ops.promotion_decisions with who did"
            + " it and why; an override without a reason would be a silent promotion.",
        "Pass --override --reason \"TEXT\" (e.g. --reason \"committee approved 2026-12-01,"
            + " minutes item 4\").");
  }

  public static FairgroveError splitWithoutClass(String task, String split, String missing) {
    return error(
        "The " + split + " split of task '" + task + "' has no " + missing + ".",
        "A model cannot be trained or early-stopped on a split with only one class.",
        "Use a larger population, or widen the target or time at risk in the task, then rebuild"
            + " `fairgrove cohort` and `fairgrove features`.");
  }

  public static FairgroveError tooFewTaskSlots(int workers, int slots) {
    return error(
        "Training asks for " + workers + " XGBoost workers, and the application has " + slots
            + " task slot(s).",
        "XGBoost trains in one barrier stage: every worker is a Spark task, and all of them must"
            + " run at once (on a cluster, executors that have not registered yet have no slots).",
        "Set task.train.workers to at most " + Math.max(1, slots) + " (0: one per slot), or give"
            + " the application more executors or cores.");
  }

  public static FairgroveError mixedFeatureDictionary(String task) {
    return error(
        "gold.features for task '" + task + "' mixes rows built with different feature"
            + " dictionaries.",
        "A model's input slots must mean the same thing on every row.",
        "Rebuild the features with `fairgrove features --task " + task + "`.");
  }

  public static FairgroveError wrongFeatureDictionary(String modelId, String expected,
      String found) {
    return error(
        "Model '" + modelId + "' was trained on feature dictionary " + expected
            + ", but gold.features now has " + found + ".",
        "The features were rebuilt since the model was trained, so its input slots no longer"
            + " line up.",
        "Train a new model on the current features (`fairgrove train`), or rebuild the features"
            + " the model was trained on.");
  }

  // ---- validation ----

  public static FairgroveError predictionColumnMissing(String column, Collection<String> present) {
    return error(
        "The predictions have no column '" + column + "'.",
        "Validation reads label (0/1), risk (0..1), a row key and every attribute in"
            + " governance.attributes; the predictions have " + present + ".",
        "Add the column to the predictions, or remove the attribute from governance.attributes.");
  }

  public static FairgroveError invalidPredictions(long rows) {
    return error(
        rows + " prediction rows have a label other than 0/1, a risk outside 0..1, or a null"
            + " label, risk or row key.",
        "Validation metrics are defined for binary outcomes and probabilities, and the"
            + " bootstrap draws each row's weights from its key.",
        "Fix the scoring step that wrote the predictions: risks must be probabilities and every"
            + " row needs its key.");
  }

  public static FairgroveError noPredictions() {
    return error(
        "There are no predictions to validate.",
        "The predictions table given to validation is empty.",
        "Score the held-out rows first and check the filter that selects them.");
  }

  public static FairgroveError referenceGroupMissing(String attribute, String group,
      Collection<String> groups) {
    return error(
        "The reference group '" + group + "' of '" + attribute + "' does not occur in the"
            + " predictions.",
        "governance.reference-groups names it, but the groups present are " + groups + ".",
        "Set governance.reference-groups.\"" + attribute + "\" to one of the groups present, or"
            + " remove it to use the largest group.");
  }

  // ---- ingest ----

  public static FairgroveError pseudonymKeyMissing(String envVar, boolean production) {
    return error(
        "No pseudonymisation key: the environment variable " + envVar + " is not set.",
        production
            ? "run.environment is production, where person ids may only be pseudonymised with a"
                + " secret key from the environment; the development key is never used there."
            : "Person ids are pseudonymised with a keyed HMAC; without a key they cannot be.",
        "Set " + envVar + " to a secret of at least " + MIN_KEY_CHARS + " characters (keep it the"
            + " same across runs, or ids change)"
            + (production ? "." : ", or use the local profile (--conf local), which has a"
                + " development key."));
  }

  /** The shortest accepted pseudonymisation key (HMAC-SHA256 wants 256 bits of secret). */
  public static final int MIN_KEY_CHARS = 32;

  public static FairgroveError pseudonymKeyTooShort(String source) {
    return error(
        "The pseudonymisation key from " + source + " is too short.",
        "A short key can be guessed, and then every pseudonym can be reversed.",
        "Use a random secret of at least " + MIN_KEY_CHARS + " characters.");
  }

  public static FairgroveError unknownSourceFormat(String format, Collection<String> formats) {
    return error(
        "Unknown source format '" + format + "'.",
        "Ingest reads " + String.join(", ", formats) + ".",
        "Pass --source-format with one of them.");
  }

  public static FairgroveError sourceFolderMissing(String path) {
    return error(
        "The source folder " + path + " does not exist or holds no data files.",
        "Ingest reads DIR/<table>/part-*.csv|parquet, DIR/<table>.csv|parquet or (FHIR)"
            + " DIR/<Resource>.ndjson[.gz].",
        "Check --path; `fairgrove synth` writes one such folder per site (e.g. OUT/S1).");
  }

  public static FairgroveError badSiteId(String site) {
    return error(
        "The site id '" + site + "' is not valid.",
        "A site id names the contributing source in every silver row and in pseudonyms; it must"
            + " be 1 to 64 letters, digits, '-' or '_'.",
        "Pass --site with a value like S1 or hospital_a.");
  }

  public static FairgroveError unreadableSourceFile(String file, String why, String fix) {
    return error(
        "The source file " + file + " cannot be read; the batch was not ingested and no table"
            + " was changed.",
        why,
        fix);
  }

  public static FairgroveError dataQualityFailed(String batch, Collection<String> failures) {
    return error(
        "Batch " + batch + " failed fatal data quality checks: " + String.join("; ", failures)
            + ". Silver was left as it was.",
        "Too many rows could not be conformed to be trusted; ops.quarantine says which rows and"
            + " why (reason codes), ops.dq_results holds every check.",
        "Fix the source and ingest it again, or raise ingest.max-quarantine-share if this share"
            + " is expected.");
  }

  // ---- validate command and the governance report ----

  public static FairgroveError modelOfAnotherTask(String modelId, String modelTask, String task) {
    return error(
        "Model '" + modelId + "' was trained for task '" + modelTask + "', not '" + task + "'.",
        "A model is validated on the held-out rows of its own task.",
        "Run `fairgrove validate --task " + modelTask + " --model-id " + modelId + "`, or pick a"
            + " model of task '" + task + "' (`fairgrove models`).");
  }

  public static FairgroveError noHeldOutRows(String task) {
    return error(
        "Task '" + task + "' has no held-out rows in gold.features.",
        "Validation uses the test, temporal and external splits; every row is in train or"
            + " validation.",
        "Give task.split a test fraction above 0 (or a temporal cutoff or external sites) and"
            + " rebuild the cohort and features.");
  }

  public static FairgroveError predictionsUnreadable(String path, String format, String detail) {
    return error(
        "The predictions at " + path + " could not be read as " + format + ".",
        detail,
        "Check the path and --format (csv with a header row, parquet, or a Delta table folder).");
  }

  public static FairgroveError predictionsEmpty(String path) {
    return error(
        "The predictions at " + path + " hold no rows.",
        "Validation needs scored rows with their observed outcome; an empty file has none.",
        "Point --predictions at the file the model's predictions were exported to.");
  }

  public static FairgroveError providedColumnMissing(String column, String role, String option,
      Collection<String> present) {
    return error(
        "The predictions have no column '" + column + "' (the " + role + ").",
        "The columns present are " + present + ".",
        "Name the column that holds the " + role + " with " + option + ", or add it to the"
            + " file.");
  }

  public static FairgroveError providedLabelsInvalid(String column, long rows) {
    return error(
        rows + " rows have a label in '" + column + "' that is not 0 or 1 (or is empty).",
        "Validation compares predicted risks with observed binary outcomes: 1 when the outcome"
            + " occurred, 0 when it did not.",
        "Recode the outcome column as 0/1, drop rows without an observed outcome, or name the"
            + " right column with --label-column.");
  }

  public static FairgroveError providedRisksInvalid(String column, long rows) {
    return error(
        rows + " rows have a risk in '" + column + "' outside 0..1 (or empty, or not a number).",
        "Calibration and every threshold metric treat the risk as a probability.",
        "Export probabilities (not scores, logits or percentages), or name the right column"
            + " with --risk-column.");
  }

  public static FairgroveError providedKeysDuplicated(String column, long rows) {
    return error(
        rows + " rows repeat a key in '" + column + "' that another row already has.",
        "Each row's key identifies it (it seeds the bootstrap and the audit table), so a repeated"
            + " key is a duplicated or mis-joined prediction.",
        "Remove the duplicate rows, name a unique key column with --key-column, or leave"
            + " --key-column out to derive a key from each row's content.");
  }

  public static FairgroveError reportNotWritten(String path, String detail) {
    return error(
        "The validation report could not be written to " + path + ".",
        detail,
        "Check that reports.dir points at a writable folder.");
  }
}
