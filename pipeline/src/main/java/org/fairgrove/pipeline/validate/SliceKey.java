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

  /**
   * Whether this group is compared with the reference group: not when there is none, nor when
   * it is the reference group itself, whose checks are its own ("age_band=18-44 (vs 18-44)").
   */
  public boolean comparedWith(String reference) {
    return reference != null && !reference.equals(group);
  }

  /** " (vs REFERENCE)" where this group is {@link #comparedWith} it, else "". */
  public String versus(String reference) {
    return comparedWith(reference) ? " (vs " + reference + ")" : "";
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
