package org.fairgrove.pipeline.synth;

import java.io.Serializable;

/**
 * What one write of the simulated population holds. A full release is what the sites know on
 * {@code asOfDay}: records dated after it are left out and periods still open end there. A batch
 * ({@code afterDay} set) is what changed since an earlier release as of {@code afterDay}: records
 * dated after it, persons first seen after it, periods that grew, and amended re-sends of a
 * seeded share of earlier measurements (same id, corrected value), as a lab's amended result is.
 * Releases as of successive days, merged by natural key, add up to the later full release, less
 * the amendments.
 */
record Release(int afterDay, int asOfDay, double corrections, long seed) implements Serializable {
  /** {@code afterDay} of a full release. */
  static final int FULL = Integer.MIN_VALUE;
  /** The factor an amended measurement's value is multiplied by. */
  static final double AMENDMENT = 1.02;
  private static final long AMENDMENT_STREAM = 0x616d656e64L;

  boolean isBatch() {
    return afterDay != FULL;
  }

  /**
   * The values to write for one simulated record of {@code table} (dates as epoch days), or null
   * when this release leaves it out.
   *
   * @param entryDay the day the person was first seen by their site
   */
  Object[] shape(Output table, Object[] values, int entryDay) {
    return switch (table) {
      case PERSON -> isNew(entryDay) ? values : null;
      case OBSERVATION_PERIOD, PAYER_PLAN_PERIOD -> period(values);
      case DEATH -> isNew((Integer) values[1]) ? values : null;
      case VISIT_OCCURRENCE, CONDITION_OCCURRENCE, DRUG_EXPOSURE -> isNew((Integer) values[3])
          ? values : null;
      case MEASUREMENT -> measurement(values);
      case TRUTH_PERSON_ONSET, TRUTH_PERSON_YEAR_RISK -> values;
    };
  }

  private boolean isNew(int day) {
    return day > afterDay && day <= asOfDay;
  }

  /**
   * (id, person, start, end, ...): known once started, ending on the release day while open;
   * re-sent by a batch when it was still open on the earlier day, since its end moved.
   */
  private Object[] period(Object[] values) {
    int start = (Integer) values[2];
    int end = (Integer) values[3];
    if (start > asOfDay || end <= afterDay) {
      return null;
    }
    Object[] known = values.clone();
    known[3] = Math.min(end, asOfDay);
    return known;
  }

  /** (id, person, concept, day, type, value, ...): new ones, and amendments of earlier ones. */
  private Object[] measurement(Object[] values) {
    int day = (Integer) values[3];
    if (isNew(day)) {
      return values;
    }
    if (!isBatch() || day > afterDay || values[5] == null || !amended((Long) values[0])) {
      return null;
    }
    Object[] amended = values.clone();
    amended[5] = Math.round((Double) values[5] * AMENDMENT * 100) / 100.0;
    return amended;
  }

  /** Whether this batch amends the measurement: a draw from (seed, batch day, id) alone. */
  boolean amended(long measurementId) {
    long bits = Rng.mix(Rng.mix(seed ^ AMENDMENT_STREAM) ^ afterDay) ^ measurementId;
    return (Rng.mix(bits) >>> 11) * 0x1.0p-53 < corrections;
  }
}
