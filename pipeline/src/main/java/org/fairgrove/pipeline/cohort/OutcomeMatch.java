package org.fairgrove.pipeline.cohort;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;
import org.fairgrove.pipeline.config.TaskSettings;

/** Which condition records are the outcome: a standard concept in the set, or a source code. */
public final class OutcomeMatch {
  private OutcomeMatch() {}

  /** A condition_occurrence row is the outcome when this is true. */
  public static Column matches(TaskSettings.Outcome outcome) {
    Column match = lit(false);
    if (!outcome.concepts().isEmpty()) {
      match = col("condition_concept_id").isin(outcome.concepts().toArray());
    }
    for (String code : outcome.sourceCodes()) {
      Column source = col("condition_source_value");
      match = match.or(code.endsWith("*")
          ? source.startsWith(code.substring(0, code.length() - 1))
          : source.equalTo(code));
    }
    return match;
  }
}
