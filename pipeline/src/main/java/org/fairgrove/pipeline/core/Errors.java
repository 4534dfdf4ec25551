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
}
