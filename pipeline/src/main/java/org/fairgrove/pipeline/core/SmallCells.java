package org.fairgrove.pipeline.core;

/** The small-cell rule for anything printed or published: counts 1 to threshold-1 never show. */
public final class SmallCells {
  private SmallCells() {}

  public static boolean small(long count, int threshold) {
    return count > 0 && count < threshold;
  }

  /** The count with thousands separators, or "&lt;threshold" when it is small. */
  public static String show(long count, int threshold) {
    return small(count, threshold) ? "<" + threshold : Progress.count(count);
  }
}
