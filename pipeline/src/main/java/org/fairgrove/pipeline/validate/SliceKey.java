package org.fairgrove.pipeline.validate;

import java.io.Serializable;
import java.util.Comparator;

/**
 * One slice: a slicing dimension (an attribute such as "race", an intersection such as
 * "race x sex", or "overall") and one of its groups ("Black", "Black x F", "all").
 */
public record SliceKey(String attribute, String group) implements Comparable<SliceKey>,
    Serializable {
  public static final String OVERALL = "overall";
  public static final String ALL = "all";
  public static final SliceKey OVERALL_SLICE = new SliceKey(OVERALL, ALL);

  private static final Comparator<SliceKey> ORDER =
      Comparator.comparing(SliceKey::attribute).thenComparing(SliceKey::group);

  public boolean overall() {
    return OVERALL.equals(attribute);
  }

  @Override
  public int compareTo(SliceKey other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return attribute + "=" + group;
  }
}
