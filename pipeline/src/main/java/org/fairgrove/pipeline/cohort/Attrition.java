package org.fairgrove.pipeline.cohort;

import static org.fairgrove.pipeline.core.SmallCells.small;

import java.util.ArrayList;
import java.util.List;

/**
 * The attrition table (how many persons and index rows each rule removed), protected for small
 * cells: consecutive rules are combined until what the combined step removed is 0 or at least
 * the threshold, so no count from 1 to threshold-1 is shown or can be derived from the
 * remaining counts either side. Remaining counts below the threshold are suppressed, and so is
 * everything after them.
 */
public final class Attrition {
  private Attrition() {}

  /** Counts remaining after one rule, before protection. */
  public record Count(String rule, long persons, long rows) {}

  /** One shown step; null counts are suppressed. */
  public record Step(int step, String rule, Long personsRemaining, Long rowsRemaining,
      Long personsRemoved, Long rowsRemoved) {
    public boolean suppressed() {
      return personsRemaining == null;
    }
  }

  /** @param counts the first entry is the starting population; each next one follows a rule */
  public static List<Step> protect(List<Count> counts, int threshold) {
    List<List<Count>> groups = new ArrayList<>();
    List<Count> open = new ArrayList<>();
    Count boundary = counts.get(0);
    for (Count count : counts.subList(1, counts.size())) {
      open.add(count);
      if (safeRemoval(boundary, count, threshold)) {
        groups.add(open);
        open = new ArrayList<>();
        boundary = count;
      }
    }
    if (!open.isEmpty()) {
      groups.add(open);
    }
    // A trailing step that removed too few is folded into the steps before it until the
    // combined removal can be shown.
    while (groups.size() > 1 && !safeRemoval(boundaryBefore(counts, groups, groups.size() - 1),
        last(groups.get(groups.size() - 1)), threshold)) {
      List<Count> tail = groups.remove(groups.size() - 1);
      groups.get(groups.size() - 1).addAll(tail);
    }

    List<Step> steps = new ArrayList<>();
    Count first = counts.get(0);
    boolean hidden = small(first.persons(), threshold) || small(first.rows(), threshold);
    steps.add(hidden ? new Step(0, first.rule(), null, null, null, null)
        : new Step(0, first.rule(), first.persons(), first.rows(), 0L, 0L));
    Count before = first;
    for (List<Count> group : groups) {
      Count after = last(group);
      String rule = String.join(" + ", group.stream().map(Count::rule).toList());
      hidden = hidden || small(after.persons(), threshold) || small(after.rows(), threshold)
          || !safeRemoval(before, after, threshold);
      steps.add(hidden ? new Step(steps.size(), rule, null, null, null, null)
          : new Step(steps.size(), rule, after.persons(), after.rows(),
              before.persons() - after.persons(), before.rows() - after.rows()));
      before = after;
    }
    return steps;
  }

  private static Count boundaryBefore(List<Count> counts, List<List<Count>> groups, int group) {
    return group == 0 ? counts.get(0) : last(groups.get(group - 1));
  }

  private static Count last(List<Count> group) {
    return group.get(group.size() - 1);
  }

  private static boolean safeRemoval(Count before, Count after, int threshold) {
    return !small(before.persons() - after.persons(), threshold)
        && !small(before.rows() - after.rows(), threshold);
  }
}
