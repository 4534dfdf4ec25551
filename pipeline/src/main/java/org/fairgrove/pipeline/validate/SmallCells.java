package org.fairgrove.pipeline.validate;

import static org.fairgrove.pipeline.core.SmallCells.small;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import org.fairgrove.pipeline.config.GovernanceSettings;

/**
 * Small-cell suppression: no count from 1 to threshold - 1 may be shown, nor be derivable from
 * what is shown.
 *
 * <ol>
 *   <li>Primary: a slice whose n, events or non-events (the complement) is small has every row
 *       withheld; a rate such as prevalence times the slice's n would give the count back.
 *   <li>Per threshold: where a slice's TP, FP, FN or TN at a threshold is small, every row at that
 *       threshold (rates, net benefit, disparities) is withheld for that slice. So is a threshold
 *       whose counts differ from a neighbouring shown threshold's by a small number: the two
 *       together would give the number of persons between them. Operating points come first and
 *       are compared only with each other; decision-curve and curve points are shown only where
 *       they keep that distance from every shown neighbour, so they thin out (pool) instead of
 *       ever withholding an operating point.
 *   <li>Complementary: slices that add up to a shown total (the groups of an attribute add up to
 *       overall; the cells of an intersection with one part fixed add up to that part's slice)
 *       give back the sum of their withheld members (total minus the rest). Where that sum holds
 *       a small count, one more member is withheld, repeated until no margin's withheld sum is
 *       small: first a member too small for the policy to judge anyway (below
 *       governance.minimum-group-size), else the smallest. The same is done per threshold, on
 *       the confusion counts there.
 *   <li>A disparity row is withheld where its reference is, since group - difference would
 *       reveal the reference's value.
 * </ol>
 */
public final class SmallCells {
  private SmallCells() {}

  /** Counts of one slice: n, events, and per threshold the confusion counts (tp, fp, fn, tn). */
  public record CellCounts(long n, long events, Map<Double, long[]> confusion) {}

  /** The rows with every value that is or reveals a small count withheld. */
  public static List<MetricRow> suppress(List<MetricRow> rows, Map<SliceKey, CellCounts> cells,
      int threshold, long minimumGroupSize) {
    Completion completion = new Completion(cells, margins(cells.keySet()), threshold,
        minimumGroupSize);
    Set<SliceKey> withheld = completion.complete(k -> {
      CellCounts c = cells.get(k);
      return small(c.n(), threshold) || small(c.events(), threshold)
          || small(c.n() - c.events(), threshold);
    }, k -> new long[] {cells.get(k).n(), cells.get(k).events(),
        cells.get(k).n() - cells.get(k).events()});
    Map<Double, Set<SliceKey>> withheldAt = withheldByThreshold(rows, cells, completion,
        withheld, threshold);
    List<MetricRow> out = new ArrayList<>(rows.size());
    for (MetricRow row : rows) {
      SliceKey slice = row.slice();
      SliceKey reference = row.reference() == null ? null
          : new SliceKey(row.attribute(), row.reference());
      Set<SliceKey> atThreshold = row.threshold() == null ? Set.of()
          : withheldAt.getOrDefault(row.threshold(), Set.of());
      boolean hide = withheld.contains(slice) || atThreshold.contains(slice)
          || (reference != null && (withheld.contains(reference)
              || atThreshold.contains(reference)));
      out.add(hide ? row.suppress() : row);
    }
    return out;
  }

  /**
   * Per threshold, the slices whose rows there are withheld, completed across margins. Operating
   * points first, walked in ascending order so each is compared with the last one shown below
   * it; then the other thresholds (decision curve, curve points), each compared with the nearest
   * shown threshold on both sides, so that any two neighbouring shown thresholds differ by zero
   * or at least the threshold in every count.
   */
  private static Map<Double, Set<SliceKey>> withheldByThreshold(List<MetricRow> rows,
      Map<SliceKey, CellCounts> cells, Completion completion, Set<SliceKey> withheld,
      int threshold) {
    TreeSet<Double> operating = new TreeSet<>();
    TreeSet<Double> decoration = new TreeSet<>();
    for (MetricRow row : rows) {
      if (row.threshold() != null) {
        (row.operatingPoint() != null ? operating : decoration).add(row.threshold());
      }
    }
    decoration.removeAll(operating);
    Map<SliceKey, TreeMap<Double, long[]>> shown = new HashMap<>();
    cells.keySet().forEach(k -> shown.put(k, new TreeMap<>()));
    Map<Double, Set<SliceKey>> withheldAt = new HashMap<>();
    for (double t : operating) {
      withheldAt.put(t, show(t, cells, completion, shown, k -> withheld.contains(k)
          || tooClose(cells.get(k).confusion().get(t), shown.get(k).floorEntry(t), threshold)));
    }
    for (double t : decoration) {
      withheldAt.put(t, show(t, cells, completion, shown, k -> {
        long[] counts = cells.get(k).confusion().get(t);
        return withheld.contains(k) || tooClose(counts, shown.get(k).floorEntry(t), threshold)
            || tooClose(counts, shown.get(k).ceilingEntry(t), threshold);
      }));
    }
    return withheldAt;
  }

  /** The slices withheld at t (completed across margins); the others join the shown ones. */
  private static Set<SliceKey> show(double t, Map<SliceKey, CellCounts> cells,
      Completion completion, Map<SliceKey, TreeMap<Double, long[]>> shown,
      Predicate<SliceKey> hide) {
    Set<SliceKey> hidden = completion.complete(hide, k -> {
      long[] counts = cells.get(k).confusion().get(t);
      return counts == null ? new long[4] : counts;
    });
    for (SliceKey k : cells.keySet()) {
      long[] counts = cells.get(k).confusion().get(t);
      if (!hidden.contains(k) && counts != null) {
        shown.get(k).put(t, counts);
      }
    }
    return hidden;
  }

  /** A small count, or a small difference from a shown neighbour's counts. */
  private static boolean tooClose(long[] counts, Map.Entry<Double, long[]> neighbour,
      int threshold) {
    return anySmall(counts, threshold)
        || (neighbour != null && anySmall(difference(counts, neighbour.getValue()), threshold));
  }

  private static long[] difference(long[] counts, long[] before) {
    if (counts == null || before == null) {
      return null;
    }
    long[] out = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      out[i] = Math.abs(counts[i] - before[i]);
    }
    return out;
  }

  private static boolean anySmall(long[] counts, int threshold) {
    if (counts == null) {
      return false;
    }
    for (long c : counts) {
      if (small(c, threshold)) {
        return true;
      }
    }
    return false;
  }

  /** Complementary suppression over the margins of one validation. */
  private record Completion(Map<SliceKey, CellCounts> cells, List<List<SliceKey>> margins,
      int threshold, long minimumGroupSize) {
    /**
     * The primary set grown until, in every margin, the summed counts of the withheld members
     * (which total minus the shown members gives back) hold no small count.
     */
    Set<SliceKey> complete(Predicate<SliceKey> primary, Function<SliceKey, long[]> counts) {
      Set<SliceKey> withheld = new HashSet<>();
      cells.keySet().stream().filter(primary).forEach(withheld::add);
      boolean changed = true;
      while (changed) {
        changed = false;
        for (List<SliceKey> margin : margins) {
          if (!anySmall(sum(margin.stream().filter(withheld::contains).map(counts).toList()),
              threshold)) {
            continue;
          }
          SliceKey next = margin.stream().filter(k -> !withheld.contains(k))
              .filter(k -> cells.get(k).n() > 0)
              .min(Comparator.comparing((SliceKey k) -> cells.get(k).n() >= minimumGroupSize)
                  .thenComparingLong(k -> cells.get(k).n())).orElse(null);
          if (next != null) {
            withheld.add(next);
            changed = true;
          }
        }
      }
      return withheld;
    }
  }

  private static long[] sum(List<long[]> counts) {
    if (counts.isEmpty()) {
      return null;
    }
    long[] out = new long[counts.get(0).length];
    for (long[] c : counts) {
      for (int i = 0; i < out.length; i++) {
        out[i] += c[i];
      }
    }
    return out;
  }

  /**
   * Sets of slices whose counts add up to a shown total: all groups of an attribute; for an
   * intersection, the cells sharing one part's group.
   */
  static List<List<SliceKey>> margins(Collection<SliceKey> slices) {
    Map<String, List<SliceKey>> byMargin = new HashMap<>();
    for (SliceKey k : slices) {
      if (k.overall()) {
        continue;
      }
      if (!k.attribute().contains(GovernanceSettings.INTERSECTION)) {
        byMargin.computeIfAbsent(k.attribute(), a -> new ArrayList<>()).add(k);
        continue;
      }
      String[] parts = k.group().split(GovernanceSettings.INTERSECTION, -1);
      for (int i = 0; i < parts.length; i++) {
        byMargin.computeIfAbsent(k.attribute() + "#" + i + "=" + parts[i],
            m -> new ArrayList<>()).add(k);
      }
    }
    return List.copyOf(byMargin.values());
  }
}
