package org.fairgrove.pipeline.cohort;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.sql.Date;
import org.apache.spark.sql.Column;
import org.fairgrove.pipeline.config.TaskSettings;

/**
 * Assigns each cohort row to a set. External sites first, then the temporal holdout, then a
 * seeded hash of the person, so all of a person's rows share one of train, validation and test.
 */
public final class Splits {
  public static final String TRAIN = "train";
  public static final String VALIDATION = "validation";
  public static final String TEST = "test";
  public static final String TEMPORAL = "temporal";
  public static final String EXTERNAL = "external";

  private static final int BUCKETS = 1_000_000;

  private Splits() {}

  /** The split of a row with columns person_id, site_id and index_date. */
  public static Column assign(TaskSettings.Split split, long seed) {
    Column bucket = pmod(xxhash64(lit(seed), col("person_id")), lit(BUCKETS))
        .divide((double) BUCKETS);
    Column byPerson = when(bucket.lt(split.testFraction()), TEST)
        .when(bucket.lt(split.testFraction() + split.validationFraction()), VALIDATION)
        .otherwise(TRAIN);
    Column assigned = byPerson;
    if (split.temporalCutoff() != null) {
      assigned = when(col("index_date").gt(Date.valueOf(split.temporalCutoff())), TEMPORAL)
          .otherwise(assigned);
    }
    if (!split.externalSites().isEmpty()) {
      assigned = when(col("site_id").isin(split.externalSites().toArray()), EXTERNAL)
          .otherwise(assigned);
    }
    return assigned;
  }
}
