package org.fairgrove.pipeline.validate;

import static org.fairgrove.pipeline.core.SmallCells.small;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 *       threshold (rates, net benefit, disparities) is withheld for that slice.
 *   <li>Complementary: slices that add up to a shown total (the groups of an attribute add up to
 *       overall; the cells of an intersection with one part fixed add up to that part's slice)
 *       must not have exactly one member withheld, or total minus the rest gives it back; the
 *       next smallest member is withheld too, repeated until no margin has a lone one. The same
 *       is done per threshold.
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
      int threshold) {
    List<List<SliceKey>> margins = margins(cells.keySet());
    Set<SliceKey> withheld = complete(
        cells, margins, k -> {
          CellCounts c = cells.get(k);
          return small(c.n(), threshold) || small(c.events(), threshold)
              || small(c.n() - c.events(), threshold);
        });
    Map<Double, Set<SliceKey>> withheldAt = withheldByThreshold(rows, cells, margins, withheld,
        threshold);
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
   * Per threshold, the slices whose rows there are withheld: a small confusion count, or a small
   * difference from the slice's last shown threshold (two neighbouring points of a decision
   * curve would otherwise give the number of patients whose risk lies between them), completed
   * across margins. Thresholds are walked in ascending order so each is compared with what is
   * actually shown below it.
   */
  private static Map<Double, Set<SliceKey>> withheldByThreshold(List<MetricRow> rows,
      Map<SliceKey, CellCounts> cells, List<List<SliceKey>> margins, Set<SliceKey> withheld,
      int threshold) {
    TreeSet<Double> thresholds = new TreeSet<>();
    rows.stream().map(MetricRow::threshold).filter(t -> t != null).forEach(thresholds::add);
    Map<SliceKey, long[]> lastShown = new HashMap<>();
    Map<Double, Set<SliceKey>> withheldAt = new HashMap<>();
    for (double t : thresholds) {
      Set<SliceKey> hidden = complete(cells, margins, k -> {
        long[] counts = cells.get(k).confusion().get(t);
        return withheld.contains(k) || anySmall(counts, threshold)
            || anySmall(difference(counts, lastShown.get(k)), threshold);
      });
      for (SliceKey k : cells.keySet()) {
        long[] counts = cells.get(k).confusion().get(t);
        if (!hidden.contains(k) && counts != null) {
          lastShown.put(k, counts);
        }
      }
      withheldAt.put(t, hidden);
    }
    return withheldAt;
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

  /** The primary set grown by complementary suppression until no margin has a lone member. */
  private static Set<SliceKey> complete(Map<SliceKey, CellCounts> cells,
      List<List<SliceKey>> margins, Predicate<SliceKey> primary) {
    Set<SliceKey> withheld = new HashSet<>();
    cells.keySet().stream().filter(primary).forEach(withheld::add);
    boolean changed = true;
    while (changed) {
      changed = false;
      for (List<SliceKey> margin : margins) {
        long hidden = margin.stream().filter(withheld::contains).count();
        if (hidden != 1) {
          continue;
        }
        SliceKey smallest = margin.stream().filter(k -> !withheld.contains(k))
            .filter(k -> cells.get(k).n() > 0)
            .min((a, b) -> Long.compare(cells.get(a).n(), cells.get(b).n())).orElse(null);
        if (smallest != null) {
          withheld.add(smallest);
          changed = true;
        }
      }
    }
    return withheld;
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
